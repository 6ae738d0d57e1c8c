"""What turns the outside world into function calls.

http       the gateway (Flask): routes from the registry, bearer auth, JSON errors, OpenAPI
websocket  /api/v1/stream: live push
mqtt       MQTT topic filters from the registry → CloudEvents
kafka      bus consumer groups, one per subscribed function, with dead letters
cron       schedules from the registry, once per tick across processes
emulator   `townsquare dev`: all of the above in one process
cli        the `townsquare` command
"""
