"""The emulator process: build everything from the registry, start the triggers, serve."""

from __future__ import annotations

import logging
import signal
import threading
from dataclasses import dataclass, field

from rich.console import Console
from rich.table import Table
from werkzeug.serving import WSGIRequestHandler, make_server

from functions.registry import Registry, describe_trigger, load
from shared.backends import redact
from shared.context import Services
from shared.settings import Settings
from triggers.cron import CronTrigger
from triggers.deploy.services import register_services
from triggers.http import create_app
from triggers.kafka import EventDispatcher
from triggers.mqtt.accounts import ACCOUNTS_FILE, AccountBook
from triggers.mqtt.broker import EmbeddedBroker
from triggers.mqtt.policy import FUNCTIONS

log = logging.getLogger("townsquare.dev")


class _QuietHandler(WSGIRequestHandler):
    """The `Server` header names the product, not the stack and its versions."""

    server_version = "townsquare"
    sys_version = ""


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
        self.app = create_app(self.services)
        self.dispatcher = EventDispatcher(self.services, self.registry)
        self.cron = CronTrigger(self.services, self.registry)
        self.broker: EmbeddedBroker | None = None
        self.mqtt = None  # the MQTT kind's bridge, once started
        self.stoppers: list = []  # what each trigger kind returned from start()
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []
        self.http = None

    def start(self) -> None:
        """Bind the HTTP server and start every trigger in the background."""
        register_services(self.services.accounts, self.registry, pods=1)  # all in this process
        self.http = make_server(
            self.host, self.port, self.app, threaded=True, request_handler=_QuietHandler
        )
        self.port = self.http.server_port
        # every trigger kind starts its own runner (triggers/<kind>/kind.py, `start()`)
        self.stoppers = [kind.start(self) for kind in self.registry.kinds]
        self._thread("http", self.http.serve_forever)

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
            self.http.shutdown()
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
