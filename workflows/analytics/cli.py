"""`townsquare analytics export|run [NAME…]` and `townsquare notebook`: the analytics by hand.

Both take --data (the embedded backends' folder) and --backends real (every port, and
the Spark master, on the servers of `townsquare stack up`). Exit status: 0 when every
insight was stored, 1 when one failed, 2 when Spark cannot run here (the message says
what to install).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from shared.settings import Settings

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
KERNEL = "townsquare"


def add_commands(commands) -> None:
    analytics = commands.add_parser("analytics", help="export to Parquet; compute the insights")
    analytics.add_argument("action", choices=["export", "run"])
    analytics.add_argument("names", nargs="*", help="run: only these insights (default: all)")
    _common(analytics)
    notebook = commands.add_parser("notebook", help="JupyterLab on the exported Parquet")
    notebook.add_argument("--port", type=int, default=8888)
    _common(notebook)


def _common(parser) -> None:
    parser.add_argument("--data", type=Path, default=Path(".data"), help="embedded backends' data")
    parser.add_argument("--backends", choices=["embedded", "real"], default="embedded")


def settings_for(args) -> Settings:
    overrides = {}
    if args.backends == "real":
        from stack import URLS

        overrides = {f"{port}_url": url for port, url in URLS.items()}
    settings = Settings(data_dir=args.data, **overrides)
    return settings.model_copy(update={"live_url": _live_copy(settings)})


def _live_copy(settings: Settings) -> str:
    """The live URL to read. An embedded snapshot may belong to a running `townsquare dev`,
    and a process that opens one saves it when it closes: read a copy, so the dev server's
    file is never written from here."""
    url = settings.url("live")
    snapshot = Path(url.removeprefix("fakeredis://"))
    if not url.startswith("fakeredis://") or not snapshot.is_file():
        return settings.live_url
    copy = settings.export_path() / ".live.snapshot"
    copy.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(snapshot, copy)
    return f"fakeredis://{copy}"


def run_analytics(args) -> int:
    from shared.context import Services

    from .run import UnknownInsight, known_names, run
    from .spark import AnalyticsUnavailable

    console = Console()
    services = Services(settings_for(args))
    root = services.settings.export_path()
    try:
        known_names(args.names)
        with Progress(console=console) as progress:
            if args.action == "export":
                from .export import export

                exported = export(services, root, progress=progress)
            else:
                outcome = run(services, args.names, progress=progress)
    except UnknownInsight as exc:
        console.print(f"[red]{exc}[/red]")
        return 2
    except AnalyticsUnavailable as exc:
        console.print(f"[red]analytics cannot run here: {exc}[/red]")
        return 2
    finally:
        services.close()
    if args.action == "export":
        console.print(_export_table(exported, root))
        return 0
    console.print(_export_table(outcome.export, root))
    console.print(_run_table(outcome))
    return 1 if outcome.failed else 0


def _export_table(report, root: Path) -> Table:
    table = Table(title=f"export to {root} as of {report.as_of:%Y-%m-%d %H:%M:%S} UTC")
    for column in ("dataset", "rows", "days written", "days unchanged", "days removed"):
        table.add_column(column)
    for name, rows in report.rows.items():
        table.add_row(name, str(rows), str(len(report.written.get(name, []))),
                      str(report.unchanged.get(name, 0)), str(len(report.removed.get(name, []))))  # fmt: skip
    return table


def _run_table(outcome) -> Table:
    table = Table(title=f"insights ({outcome.seconds:.1f} s)")
    table.add_column("insight")
    table.add_column("result")
    for name in outcome.stored:
        table.add_row(name, "[green]stored[/green]")
    for name, why in outcome.failed.items():
        table.add_row(name, f"[red]failed: {why}[/red]")
    return table


def run_notebook(args) -> int:
    """JupyterLab on 127.0.0.1 over notebooks/, with the project's kernel and, in its
    environment, the export folder and Spark master the notebooks read (Settings)."""
    settings = settings_for(args)
    env = dict(os.environ)
    env["TOWNSQUARE_ANALYTICS_EXPORT_DIR"] = str(settings.export_path())
    env["TOWNSQUARE_ANALYTICS_URL"] = settings.analytics_url
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(NOTEBOOKS.parent), env.get("PYTHONPATH")])
    )
    python = sys.executable
    subprocess.run([python, "-m", "ipykernel", "install", "--sys-prefix", "--name", KERNEL,
                    "--display-name", "Townsquare (project venv)"], check=True, env=env)  # fmt: skip
    command = [python, "-m", "jupyter", "lab", "--ip=127.0.0.1", f"--port={args.port}",
               "--no-browser", f"--notebook-dir={NOTEBOOKS}",
               f"--MultiKernelManager.default_kernel_name={KERNEL}"]  # fmt: skip
    if os.geteuid() == 0:  # containers and CI run as root; Jupyter refuses that unless told
        command.append("--allow-root")
    Console().print(
        f"JupyterLab on http://127.0.0.1:{args.port}; the export: {settings.export_path()}"
    )
    return subprocess.run(command, env=env).returncode
