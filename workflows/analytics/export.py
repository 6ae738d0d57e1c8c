"""The export step: a snapshot of what analytics reads, as Parquet partitioned by day.

    <export dir>/<dataset>/day=YYYY-MM-DD/part-0.parquet
    <export dir>/_manifest.json   {"as_of": ..., "days": {dataset: {day: fingerprint}}}

Incremental: each day's rows are sorted and fingerprinted (sha256), and only a day
whose fingerprint differs from the manifest's (or whose file is missing) is written;
a day that no longer has rows is removed. Idempotent: the same rows give the same
files, and a file appears whole or not at all (written beside, then renamed), so an
export killed midway and run again ends where one clean export would.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from shared.context import Services
from shared.records import iso, utcnow

from .datasets import DATASETS, Dataset
from .snapshot import read_snapshot

MANIFEST = "_manifest.json"


@dataclass
class ExportReport:
    as_of: datetime
    rows: dict[str, int] = field(default_factory=dict)
    written: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    unchanged: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    removed: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))


def export(services: Services, root: Path, *, as_of: datetime | None = None, progress=None):
    """Export the snapshot as of `as_of` (default now) under `root`; an ExportReport.
    `progress` is a rich Progress to show each dataset's days on (when run by hand)."""
    as_of = as_of or utcnow()
    root.mkdir(parents=True, exist_ok=True)
    manifest = _read_manifest(root)
    report = ExportReport(as_of)
    for name, rows in read_snapshot(services, as_of):
        dataset = DATASETS[name]
        by_day = _by_day(dataset, rows)
        report.rows[name] = len(rows)
        known = manifest["days"].setdefault(name, {})
        task = progress.add_task(f"export {name}", total=len(by_day) or 1) if progress else None
        for day, day_rows in sorted(by_day.items()):
            fingerprint = _fingerprint(dataset, day_rows)
            target = root / name / f"day={day}" / "part-0.parquet"
            if known.get(day) == fingerprint and target.exists():
                report.unchanged[name] += 1
            else:
                _write_day(dataset, day_rows, target)
                known[day] = fingerprint
                report.written[name].append(day)
            if progress:
                progress.advance(task)
        for day in sorted(set(known) - set(by_day)):
            shutil.rmtree(root / name / f"day={day}", ignore_errors=True)
            del known[day]
            report.removed[name].append(day)
        if progress and not by_day:
            progress.advance(task)
        _write_manifest(root, manifest | {"as_of": iso(as_of)})
    return report


def _by_day(dataset: Dataset, rows: list[dict]) -> dict[str, list[dict]]:
    days: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        days[row[dataset.time].astimezone(UTC).date().isoformat()].append(
            {column: row.get(column) for column in dataset.columns}
        )
    for day_rows in days.values():
        day_rows.sort(key=lambda row: tuple(str(row[k]) for k in dataset.key))
    return days


def _fingerprint(dataset: Dataset, rows: list[dict]) -> str:
    digest = hashlib.sha256(json.dumps(list(dataset.columns)).encode())
    for row in rows:
        digest.update(json.dumps([_plain(row[c]) for c in dataset.columns]).encode())
    return digest.hexdigest()


def _plain(value):
    return iso(value) if isinstance(value, datetime) else value


def _write_day(dataset: Dataset, rows: list[dict], target: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    target.parent.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pylist(rows, schema=dataset.arrow_schema())
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    pq.write_table(table, partial)
    os.replace(partial, target)


def _read_manifest(root: Path) -> dict:
    try:
        return json.loads((root / MANIFEST).read_text())
    except (OSError, ValueError):
        return {"days": {}}


def _write_manifest(root: Path, manifest: dict) -> None:
    partial = root / f".{MANIFEST}.partial"
    partial.write_text(json.dumps(manifest, indent=1, sort_keys=True))
    os.replace(partial, root / MANIFEST)
