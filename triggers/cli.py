"""The `townsquare` command.

townsquare dev [--host H] [--port P] [--data DIR] [--demo] [--backends embedded|real] [--mqtt-port P]
townsquare serve [--host H] [--port P] [--workers N] [--no-triggers] [--backends embedded|real]
townsquare stack up|down|status|env [names...]
townsquare mqtt add|remove|list|acl|bridge   MQTT accounts; the production ACL; the bridge alone
townsquare admin grant|revoke EMAIL · admin operators   operator rights (never granted by signup)
townsquare backfill search|graph|archive [--backends embedded|real] [--data DIR]
townsquare render              write knative/ and template.yaml from the registry
townsquare functions           list every function and its triggers
townsquare chaos [pytest args] the fault battery (tests/chaos) on private servers; prints its table
townsquare analytics export|run [NAME…]   the Parquet snapshot; the insights (Spark)
townsquare notebook            JupyterLab on the exported Parquet
townsquare bench [NAME…] [--backends embedded|real] [--quick] [--out DIR] · bench --table RUN.json
                               the benchmark suite (bench/, a source checkout); README's table
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from rich.console import Console


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="townsquare", description="Townsquare: a community backend of small functions"
    )
    commands = parser.add_subparsers(dest="command", required=True)

    dev = commands.add_parser("dev", help="run everything in one process (the local emulator)")
    dev.add_argument("--host", default="127.0.0.1")
    dev.add_argument("--port", type=int, default=8080)
    dev.add_argument(
        "--data", type=Path, default=Path(".data"), help="where embedded backends keep data"
    )
    dev.add_argument("--demo", action="store_true", help="load a sample community on first start")
    dev.add_argument(
        "--backends",
        choices=["embedded", "real"],
        default="embedded",
        help="real: every port on the servers of `townsquare stack up`",
    )
    dev.add_argument(
        "--mqtt-port", type=int, default=1883, help="port of the embedded MQTT broker (0: any)"
    )
    dev.add_argument("--log-level", default="INFO")

    serve = commands.add_parser(
        "serve", help="the production server: uvicorn workers, triggers in their own process"
    )
    serve.add_argument("--host", default="0.0.0.0")
    # PORT: the port a container platform (Knative, Cloud Run) tells its container to serve
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8080")))
    serve.add_argument(
        "--workers",
        type=int,
        default=None,
        help="HTTP/stream worker processes (default: one per core; one on embedded backends)",
    )
    serve.add_argument(
        "--no-triggers",
        dest="triggers",
        action="store_false",
        help="HTTP and the stream only (events, cron and MQTT run elsewhere)",
    )
    serve.add_argument(
        "--data", type=Path, default=None, help="default: TOWNSQUARE_DATA_DIR, else .data"
    )
    serve.add_argument("--backends", choices=["embedded", "real"], default="embedded")
    serve.add_argument("--mqtt-port", type=int, default=1883)
    serve.add_argument("--log-level", default="INFO")

    stack = commands.add_parser("stack", help="install and run the real servers on 127.0.0.1")
    stack.add_argument("args", nargs=argparse.REMAINDER)

    from triggers.mqtt import cli as mqtt_cli

    mqtt_cli.add_parser(commands)
    admin = commands.add_parser(
        "admin", help="grant or revoke operator rights; `services` fills the service group"
    )
    admin.add_argument("verb", choices=["grant", "revoke", "operators", "services"])
    admin.add_argument("email", nargs="?")
    admin.add_argument("--data", type=Path, default=Path(".data"))
    admin.add_argument("--accounts-url", default=None, help="default: TOWNSQUARE_ACCOUNTS_URL")
    backfill = commands.add_parser(
        "backfill",
        help="rebuild the search index or the graph from accounts and content, or the "
        "message archive's indexes from its messages",
    )
    backfill.add_argument("what", choices=["search", "graph", "archive"])
    backfill.add_argument("--backends", choices=["embedded", "real"], default="embedded")
    backfill.add_argument("--data", type=Path, default=Path(".data"))

    commands.add_parser("render", help="write knative/ and template.yaml from the registry")
    commands.add_parser("functions", help="list every function and its triggers")
    commands.add_parser(
        "chaos", help="run the fault battery and print its report (other options go to pytest)"
    )
    bench = commands.add_parser("bench", help="the benchmark suite against raw baselines and peers")
    if _bench_cli():
        _bench_cli().add_arguments(bench)
    from workflows.analytics.cli import add_commands

    add_commands(commands)

    args, unknown = parser.parse_known_args(argv)
    if unknown and args.command != "chaos":  # only the battery hands options on (to pytest)
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    if args.command == "dev":
        return run_dev(args)
    if args.command == "serve":
        return run_serve(args)
    if args.command == "stack":
        from stack.cli import run

        return run(args.args)
    if args.command == "admin":
        return run_admin(args)
    if args.command == "mqtt":
        return mqtt_cli.run(args)
    if args.command == "backfill":
        return run_backfill(args)
    if args.command == "render":
        from triggers.deploy import render_all

        for path in render_all(Path.cwd()):
            print(f"wrote {path}")
        return 0
    if args.command == "chaos":
        return run_chaos(unknown)
    if args.command == "bench":
        if not _bench_cli():
            print("townsquare bench: needs a source checkout (bench/ is not installed)")
            return 2
        return _bench_cli().main(args)
    if args.command in ("analytics", "notebook"):
        from workflows.analytics import cli

        return cli.run_analytics(args) if args.command == "analytics" else cli.run_notebook(args)
    if args.command == "functions":
        from functions.registry import load
        from triggers.emulator.server import trigger_table

        Console().print(trigger_table(load()))
        return 0
    return 2


def run_chaos(extra: list[str]) -> int:
    """The battery is the tests under tests/chaos of a source checkout: run them, then
    print the table they wrote."""
    import pytest

    root = Path(__file__).resolve().parent.parent
    code = pytest.main([str(root / "tests" / "chaos"), "-m", "chaos", "-q", *extra])
    report = root / "artifacts" / "chaos" / "report.md"
    if report.exists():
        print(report.read_text())
    return int(code)


def _bench_cli():
    """bench/ of a source checkout (like tests/chaos, it is not in the wheel), or None."""
    root = str(Path(__file__).resolve().parent.parent)
    if root not in sys.path:
        sys.path.insert(0, root)
    try:
        from bench import cli
    except ImportError:
        return None
    return cli


def run_admin(args) -> int:
    from shared.context import Services
    from shared.settings import Settings

    overrides = {"accounts_url": args.accounts_url} if args.accounts_url else {}
    services = Services(Settings.load(data_dir=args.data, **overrides))
    try:
        if args.verb == "services":  # a deployment's post-deploy step (pods: unknown, 0)
            from functions.registry import load
            from triggers.deploy.services import register_services

            print(f"registered {register_services(services.accounts, load())} services")
            return 0
        if args.verb == "operators":
            for user in services.accounts.operators():
                print(f"{user.email}\t{user.uuid}")
            return 0
        user = services.accounts.find_user_by_email(args.email or "")
        if user is None:
            print(f"townsquare admin: no user with email {args.email!r}")
            return 2
        services.accounts.set_operator(user.uuid, args.verb == "grant")
        print(f"{user.email} {'is now' if args.verb == 'grant' else 'is no longer'} an operator")
        return 0
    finally:
        services.close()


def run_backfill(args) -> int:
    from rich.progress import Progress

    from shared.context import Context, Services
    from workflows.backfill import backfill_archive, backfill_graph, backfill_search

    services = Services(_settings(args))
    ctx = Context(services)
    runs = {"search": backfill_search, "graph": backfill_graph, "archive": backfill_archive}
    run = runs[args.what]
    try:
        with Progress() as progress:
            if args.what == "archive":
                tasks = {"messages": progress.add_task("messages", total=None)}
            else:
                users = progress.add_task("users", total=services.accounts.count_users())
                groups = progress.add_task("groups", total=None)
                tasks = {"users": users, "groups": groups}
            counts = run(ctx, lambda kind: progress.advance(tasks[kind]))
    finally:
        services.close()
    Console().print(f"{args.what} backfilled: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
    return 0


def _settings(args):
    from shared.settings import Settings

    overrides = {}
    if args.backends == "real":
        from stack import URLS

        overrides = {f"{port}_url": url for port, url in URLS.items()}
    if args.data is not None:
        overrides["data_dir"] = args.data
    return Settings.load(**overrides)  # refuses what cannot work


def _logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    for chatty in ("transitions", "amqtt", "alembic", "apscheduler"):  # their steps, not ours
        logging.getLogger(chatty).setLevel(max(logging.WARNING, logging.getLogger().level))


def run_serve(args) -> int:
    """N uvicorn workers of the ASGI app, and the triggers in one process of their own.
    The workers read their settings from the environment, so the options become
    TOWNSQUARE_* variables first. The embedded live store lives inside one process: on
    embedded backends, one worker, with the triggers in it (as `townsquare dev`)."""
    from triggers.runtime.server import serve_workers

    _logging(args.log_level)
    settings = _settings(args)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    for name, value in settings.model_dump(exclude_defaults=True).items():
        os.environ[f"TOWNSQUARE_{name.upper()}"] = str(value)
    os.environ["TOWNSQUARE_DATA_DIR"] = str(settings.data_dir.resolve())
    embedded = settings.url("live").startswith("fakeredis:")
    if args.workers is None:
        args.workers = 1 if embedded else os.cpu_count() or 1
    if embedded and args.workers > 1:
        print(
            "townsquare serve: the embedded live store lives in one process; "
            "use --workers 1, or real backends (--backends real or TOWNSQUARE_LIVE_URL)"
        )
        return 2
    if embedded and args.triggers:
        from triggers.emulator import Emulator

        emulator = Emulator(settings, host=args.host, port=args.port, mqtt_port=args.mqtt_port)
        emulator.start()
        emulator.print_listing()
        emulator.serve_until_signal()
        return 0
    triggers = None
    if args.triggers:
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        triggers = context.Process(
            target=run_triggers, args=(args.mqtt_port, args.log_level), name="townsquare-triggers"
        )
        triggers.start()
    try:
        serve_workers(settings, args.host, args.port, args.workers)
    finally:
        if triggers is not None:
            triggers.terminate()
            triggers.join(timeout=15)
    return 0


def run_triggers(mqtt_port: int, log_level: str) -> None:
    """The triggers' own process: events, cron and the MQTT bridge until SIGTERM."""
    import signal
    import threading

    from shared.settings import Settings
    from triggers.emulator import Emulator

    _logging(log_level)
    emulator = Emulator(Settings(), mqtt_port=mqtt_port)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    emulator.start_triggers()
    stop.wait()
    emulator.shutdown()


def run_dev(args) -> int:
    from rich.progress import Progress

    from triggers.emulator import Emulator
    from triggers.emulator.demo import DemoLoader

    _logging(args.log_level)
    settings = _settings(args)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    emulator = Emulator(settings, host=args.host, port=args.port, mqtt_port=args.mqtt_port)
    console = emulator.console
    if args.demo:
        loader = DemoLoader(emulator.app)
        if loader.already_loaded():
            console.print("demo community already loaded; keeping it")
        else:
            with Progress(console=console) as progress:
                loader.load(progress)
            console.print(
                f"demo loaded: every demo account's password is 'townsquare-demo', "
                f"e.g. {loader.people[0]['email']}"
            )
    emulator.start()
    emulator.print_listing()
    emulator.serve_until_signal()
    return 0


if __name__ == "__main__":
    sys.exit(main())
