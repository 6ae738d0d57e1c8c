"""The export step: Parquet by day, read through the ports, incremental and idempotent."""

from __future__ import annotations

from datetime import timedelta

import pyarrow.parquet as pq
import pytest

from shared.records import Message, Post, new_uuid, utcnow
from tests.analytics.conftest import embedded_services
from triggers.cli import main
from workflows.analytics.export import export

NOW = utcnow()


@pytest.fixture
def services(tmp_path):
    services = embedded_services(tmp_path / "data")
    yield services
    services.close()


def post(days_ago: int, text: str = "words") -> Post:
    when = NOW - timedelta(days=days_ago)
    return Post(new_uuid(), new_uuid(), "", text, "public", None, (), "slug", when)


def read(root, dataset: str) -> list[dict]:
    folder = root / dataset
    if not folder.exists():
        return []
    return pq.read_table(folder).to_pylist()


def test_rows_land_in_the_partition_of_their_day(services, tmp_path):
    for days_ago in (0, 0, 2):
        services.content.put_post(post(days_ago))
    root = tmp_path / "export"
    report = export(services, root)
    days = sorted(p.name for p in (root / "posts").iterdir())
    assert days == [f"day={(NOW - timedelta(days=d)).date()}" for d in (2, 0)]
    assert report.rows["posts"] == 3 and len(read(root, "posts")) == 3
    assert sorted(report.written["posts"]) == [d.removeprefix("day=") for d in days]


def test_a_second_export_writes_only_the_days_that_changed(services, tmp_path):
    old, today = post(3), post(0)
    services.content.put_post(old)
    services.content.put_post(today)
    root = tmp_path / "export"
    export(services, root)
    untouched = root / "posts" / f"day={today.created_at.date()}" / "part-0.parquet"
    before = untouched.stat().st_mtime_ns

    again = export(services, root)
    assert again.written.get("posts", []) == [] and again.unchanged["posts"] == 2

    services.content.put_post(post(3, "another on the old day"))
    third = export(services, root)
    assert third.written["posts"] == [str(old.created_at.date())]
    assert untouched.stat().st_mtime_ns == before
    assert len(read(root, "posts")) == 3


def test_live_messages_not_yet_archived_are_exported_once(services, tmp_path):
    group = new_uuid()
    archived = Message(new_uuid(), new_uuid(), None, group, "archived", NOW)
    live_only = Message(new_uuid(), new_uuid(), None, group, "still live", NOW)
    services.content.archive_message(archived)
    services.live.put_message(archived, 3600)
    services.live.put_message(live_only, 3600)
    root = tmp_path / "export"
    export(services, root)
    rows = {row["uuid"]: row for row in read(root, "messages")}
    assert set(rows) == {archived.uuid, live_only.uuid}
    assert rows[archived.uuid]["archived"] is True and rows[live_only.uuid]["archived"] is False


def test_rows_after_the_snapshot_instant_are_left_out(services, tmp_path):
    services.content.put_post(post(1))
    services.content.put_post(post(0))
    report = export(services, tmp_path / "export", as_of=NOW - timedelta(hours=12))
    assert report.rows["posts"] == 1


def test_accounts_and_events_are_exported_without_secrets(services, api, tmp_path):
    api.person("Ada")  # signs up through the API: a user row, its events
    root = services.settings.export_path()
    export(services, root)
    [user] = read(root, "users")
    assert set(user) == {"uuid", "name", "signup_date", "last_logged_in", "day"}
    events = read(root, "events")
    assert events and set(events[0]) == {"id", "type", "source", "subject", "time", "partition",
                                         "offset", "day"}  # fmt: skip


def test_the_command_exports_with_a_progress_bar(services, tmp_path, capsys):
    services.content.put_post(post(0))
    assert main(["analytics", "export", "--data", str(services.settings.data_dir)]) == 0
    out = capsys.readouterr().out
    assert "export posts" in out and "days written" in out
    assert len(read(services.settings.export_path(), "posts")) == 1


def test_the_command_never_writes_the_live_snapshot_of_a_running_dev_server(tmp_path):
    data = tmp_path / "data"
    dev = embedded_services(data)  # stands for `townsquare dev`, still running
    message = Message(new_uuid(), new_uuid(), None, new_uuid(), "live only", NOW)
    dev.live.put_message(message, 3600)
    dev.close()
    snapshot = data / "live.snapshot"
    before = snapshot.read_bytes()
    assert main(["analytics", "export", "--data", str(data)]) == 0
    assert snapshot.read_bytes() == before
    exported = read(dev.settings.export_path(), "messages")
    assert [row["uuid"] for row in exported] == [message.uuid]
