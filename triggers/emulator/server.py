"""The emulator process: build everything from the registry, start the triggers, serve.

HTTP and the stream are the production runtime's ASGI app (triggers/runtime) under
uvicorn in a thread; the event dispatcher, cron and the MQTT bridge run beside it."""

from __future__ import annotations

import logging
import signal
import threading
from dataclasses import dataclass, field

from rich.console import Console
from rich.table import Table

from functions.registry import Registry, describe_trigger, load
from shared.backends import redact
from shared.context import Services
from shared.settings import Settings
from triggers.cron import CronTrigger
from triggers.deploy.services import register_services
from triggers.kafka import EventDispatcher
from triggers.mqtt.accounts import ACCOUNTS_FILE, AccountBook
from triggers.mqtt.broker import EmbeddedBroker
from triggers.mqtt.policy import FUNCTIONS
from triggers.runtime import ThreadedServer, create_asgi, server_config

log = logging.getLogger("townsquare.dev")


@dataclass
class Emulator:
    settings: Settings
    host: str = "127.0.0.1"
    port: int = 8080
    mqtt_port: int = 1883  # of the embedded broker, when settings name none (0: any free port)
    console: Console = field(default_factory=Console)

    def __post_init__(self) -> None:
        self.registry: Registry = load()
        self.services = Services(self.settings)
        self.asgi = create_asgi(self.services)
        self.app = self.asgi.state.flask  # the Flask gateway (the demo loader calls it)
        self.dispatcher = EventDispatcher(self.services, self.registry)
        self.cron = CronTrigger(self.services, self.registry)
        self.broker: EmbeddedBroker | None = None
        self.mqtt = None  # the MQTT kind's bridge, once started
        self.stoppers: list = []  # what each trigger kind returned from start()
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []
        self.http: ThreadedServer | None = None

    def start(self) -> None:
        """Bind the HTTP server and start every trigger in the background."""
        register_services(self.services.accounts, self.registry, pods=1)  # all in this process
        self.http = ThreadedServer(server_config(self.asgi, self.settings, self.host, self.port))
        self.port = self.http.port
        self.start_triggers()
        self.http.start()

    def start_triggers(self) -> None:
        """Every trigger kind starts its own runner (triggers/<kind>/kind.py, `start()`): the
        event dispatcher, the MQTT bridge, cron (`townsquare serve` runs them alone in their
        own process)."""
        self.stoppers = [kind.start(self) for kind in self.registry.kinds]

    @property
    def mqtt_url(self) -> str:
        """The broker the bridge connects to, with its credentials (never printed)."""
        if self.settings.mqtt_url:
            return self.settings.mqtt_url
        if self.broker is None:
            book = AccountBook(self.settings.data_dir / ACCOUNTS_FILE)
            self._functions_secret = book.add(FUNCTIONS, "functions", in_memory=True)
            self.broker = EmbeddedBroker(book, self.host, self.mqtt_port)
            self.broker.start()
        return f"mqtt://{FUNCTIONS}:{self._functions_secret}@{self.host}:{self.broker.port}"

    def _thread(self, name: str, target) -> None:
        thread = threading.Thread(target=target, name=f"townsquare-{name}", daemon=True)
        thread.start()
        self.threads.append(thread)

    def shutdown(self) -> None:
        self.stop.set()
        if self.http is not None:
            self.http.stop()  # sockets get 1012, in-flight HTTP drains
        for stop in self.stoppers:
            stop()
        if self.broker is not None:
            self.broker.stop()
        for thread in self.threads:
            thread.join(timeout=5)
        self.dispatcher.close()
        self.services.close()

    def serve_until_signal(self) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: self.stop.set())
        self.stop.wait()
        self.console.print("stopping…")
        self.shutdown()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/api/v1"

    def print_listing(self) -> None:
        self.console.print(f"[bold]Townsquare[/] listening on [cyan]{self.base_url}[/]")
        self.console.print(f"  web app   http://{self.host}:{self.port}/")
        self.console.print(f"  OpenAPI   {self.base_url}/openapi.json")
        self.console.print(f"  stream    ws://{self.host}:{self.port}/api/v1/stream")
        if self.broker:
            self.console.print(
                f"  MQTT      {self.broker.url} (embedded broker; accounts: `townsquare mqtt add`)"
            )
        else:
            self.console.print(f"  MQTT      {redact(self.mqtt_url)}")
        backends = Table("port", "backend", title="backends", title_justify="left")
        for port, description in self.services.describe().items():
            backends.add_row(port, description)
        self.console.print(backends)
        self.console.print(trigger_table(self.registry))


def trigger_table(registry: Registry) -> Table:
    table = Table("function", "trigger", title="functions", title_justify="left")
    for function in sorted(registry.functions.values(), key=lambda f: f.name):
        for trigger in function.triggers:
            table.add_row(function.name, describe_trigger(trigger))
    return table
