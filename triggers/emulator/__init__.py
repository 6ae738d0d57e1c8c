"""`townsquare dev`: the whole of Townsquare in one process — the local emulator.

The HTTP gateway (and WebSocket stream), the event dispatcher over the bus, and the
other triggers, all reading the one registry; backends from Settings (embedded under
--data by default, the stack's servers with --backends real).
"""

from triggers.emulator.server import Emulator

__all__ = ["Emulator"]
