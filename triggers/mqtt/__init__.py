"""MQTT trigger: the registry's topic filters, QoS 1, each message a CloudEvent."""

from triggers.mqtt.bridge import MqttBridge, mqtt_event

__all__ = ["MqttBridge", "mqtt_event"]
