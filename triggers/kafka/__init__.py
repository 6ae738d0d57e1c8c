"""Bus trigger: one consumer group per subscribed function over townsquare.events."""

from triggers.kafka.dispatcher import EventDispatcher

__all__ = ["EventDispatcher"]
