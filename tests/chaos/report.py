"""One row per fault of the battery, and the table they make (printed and written as Markdown)."""

from __future__ import annotations

import contextlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPORT = Path(__file__).resolve().parents[2] / "artifacts" / "chaos" / "report.md"

COLUMNS = (
    "fault", "sent", "acked", "delivered", "stored", "lost", "dup", "bad 5xx", "leaks",
    "p99 ms", "recover s", "rejections", "verdict",
)  # fmt: skip


@dataclass
class Row:
    fault: str
    sent: int = 0
    acked: int = 0
    delivered: int = 0
    stored: int = 0
    lost: int = 0
    duplicated: int = 0
    bad_5xx: int = 0
    leaks: int = 0
    p99_ms: float | None = None
    recover_s: float | None = None
    back: bool = True  # every backend healthy again, Townsquare not restarted
    failed_checks: int = 0  # the fault's own checks (a matrix cell, a session rule)
    rejections: Counter = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        bad = self.lost or self.duplicated or self.bad_5xx or self.leaks or self.failed_checks
        return self.back and not bad

    def cells(self) -> list[str]:
        reasons = ", ".join(f"{k} ×{v}" for k, v in sorted(self.rejections.items())) or "-"
        return [
            self.fault,
            str(self.sent),
            str(self.acked),
            str(self.delivered),
            str(self.stored),
            str(self.lost),
            str(self.duplicated),
            str(self.bad_5xx),
            str(self.leaks),
            "-" if self.p99_ms is None else f"{self.p99_ms:.0f}",
            "-" if self.recover_s is None else f"{self.recover_s:.1f}",
            reasons,
            "pass" if self.passed else "FAIL",
        ]


@contextlib.contextmanager
def checked(row: Row):
    """A failed assertion inside the block marks `row` failed (with its message), then fails."""
    try:
        yield row
    except AssertionError as exc:
        row.failed_checks += 1
        row.notes.append(f"failed: {str(exc).splitlines()[0][:200] if str(exc) else 'assertion'}")
        raise


class Report:
    """The rows of one run, in the order the faults ran."""

    def __init__(self) -> None:
        self.rows: list[Row] = []
        self.costs: dict[str, float] = {}

    def add(self, row: Row) -> Row:
        self.rows.append(row)
        return row

    def markdown(self) -> str:
        lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
        lines += ["| " + " | ".join(row.cells()) + " |" for row in self.rows]
        notes = [f"- **{row.fault}**: {note}" for row in self.rows for note in row.notes]
        costs = [f"- {name}: {seconds:.1f} s" for name, seconds in self.costs.items()]
        if notes:
            lines += ["", "Notes:", *notes]
        if costs:
            lines += ["", "Costs:", *costs]
        return "\n".join(lines) + "\n"

    def write(self, path: Path = REPORT) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("# Fault battery\n\n" + self.markdown())
        return path
