"""The analytics run: every insight computed by Spark (local[*]) and stored whole, a
failing one retried and reported, a run killed midway healing on the next run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import timedelta

import pyarrow.parquet as pq
import pytest

from shared.records import Insight, Reaction, new_uuid, utcnow
from tests.analytics.community import add_history
from tests.analytics.conftest import embedded_services
from workflows.analytics import export as export_module
from workflows.analytics import insights as insights_module
from workflows.analytics.run import ATTEMPTS, UnknownInsight, run

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]  # Spark starts in seconds, on 2 cores


def result(services, name: str) -> dict:
    return services.content.get_insight(name).result


def test_every_insight_is_stored_with_its_window(community):
    for name in insights_module.INSIGHTS:
        insight = community.content.get_insight(name)
        assert insight is not None, name
        assert insight.result["window"]["start"] < insight.result["window"]["end"]
        assert isinstance(insight.result["items"], list)


def test_active_users_count_distinct_people_per_period(community):
    found = result(community, "active_users")
    days = [i for i in found["items"] if i["period"] == "day"]
    assert len(days) == 4  # the demo's day and the three weeks of history
    assert 1 <= found["latest"]["dau"] <= found["latest"]["wau"] <= found["latest"]["mau"]
    months = sum(i["users"] for i in found["items"] if i["period"] == "month")
    assert months >= max(i["users"] for i in days)


def test_messages_per_group_per_hour_add_up_to_the_group_messages(community):
    items = result(community, "messages_per_group_per_hour")["items"]
    assert items and all(item["group"] for item in items)  # named from the groups
    total = sum(item["messages"] for item in items)
    exported = pq.read_table(community.settings.export_path() / "messages").to_pylist()
    assert total == len([m for m in exported if m["to_group"]]) > 0


def test_top_posts_rank_by_decayed_engagement(community):
    items = result(community, "top_posts")["items"]
    scores = [item["score"] for item in items]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0
    for item in items:
        engagement = 2 * item["comment_count"] + item["reaction_count"] + 3 * item["share_count"]
        assert item["engagement"] == engagement
        assert item["score"] == pytest.approx(
            engagement * 0.5 ** (item["age_hours"] / 24), rel=1e-4
        )


def test_trends_find_hashtags_and_terms(community):
    items = result(community, "trends")["items"]
    hashtags = {i["term"] for i in items if i["kind"] == "hashtag"}
    terms = {i["term"] for i in items if i["kind"] == "term"}
    assert {"river", "throwback"} <= hashtags
    assert terms and not terms & {"the", "with", "this"}  # stop words are left out


def test_retention_cohorts_start_at_everyone(community):
    items = result(community, "retention_cohorts")["items"]
    week0 = [i for i in items if i["week"] == 0]
    assert len({i["cohort"] for i in items}) >= 3
    assert all(0 < i["retention"] <= 1 for i in items)
    assert all(i["active"] <= i["size"] for i in week0)


def test_device_log_levels_count_every_line(community):
    items = result(community, "device_log_levels")["items"]
    assert sum(i["lines"] for i in items) == len(list(community.content.all_device_logs()))
    assert {i["level"] for i in items} == {"info", "warning", "error"}


def test_an_unknown_name_lists_the_known_ones(community):
    with pytest.raises(UnknownInsight, match="top_posts"):
        run(community, ["top_post"])


def test_a_failing_insight_is_retried_reported_and_the_last_result_kept(community, monkeypatch):
    before = community.content.get_insight("trends")
    calls = []

    def broken(frames, end):
        calls.append(end)
        raise RuntimeError("the executor was lost")

    monkeypatch.setitem(insights_module.INSIGHTS, "trends", broken)
    outcome = run(community, ["trends", "device_log_levels"], wait=0)
    assert len(calls) == ATTEMPTS
    assert outcome.failed == {"trends": "RuntimeError: the executor was lost"}
    assert outcome.stored == ["device_log_levels"]
    assert community.content.get_insight("trends") == before


@pytest.fixture
def small(tmp_path):
    services = embedded_services(tmp_path / "data")
    add_history(services, weeks=2)
    yield services
    services.close()


def stored(services) -> dict:
    """Every insight's result, without computed_at (the one thing that differs by run)."""
    return {name: result(services, name) for name in insights_module.INSIGHTS}


def test_a_run_killed_midway_then_run_again_equals_one_clean_run(small, monkeypatch):
    run(small)
    person = new_uuid()
    for post in list(small.content.all_posts()):  # new data since: every posts day changes
        small.content.put_reaction(Reaction(post.uuid, person, "like", utcnow()))
    root = small.settings.export_path()

    real_write, writes = export_module._write_day, []

    def dies_on_the_third_day(*args):
        writes.append(args)
        if len(writes) == 2:
            raise KeyboardInterrupt  # killed while exporting, one day written
        real_write(*args)

    monkeypatch.setattr(export_module, "_write_day", dies_on_the_third_day)
    with pytest.raises(KeyboardInterrupt):
        run(small)
    monkeypatch.undo()

    def killed(frames, end):
        raise KeyboardInterrupt  # killed between two insights

    monkeypatch.setitem(insights_module.INSIGHTS, "trends", killed)
    with pytest.raises(KeyboardInterrupt):
        run(small)
    monkeypatch.undo()

    run(small)
    healed = stored(small)
    shutil.rmtree(root)
    run(small)  # one clean run, from an empty export folder
    assert stored(small) == healed


def test_without_java_the_command_says_what_to_install(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "JAVA_HOME"} | {"PATH": "/nonexistent"}
    command = [sys.executable, "-m", "triggers.cli", "analytics", "run", "--data", str(tmp_path)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "apt-get install openjdk-17-jre-headless" in " ".join(done.stdout.split())


def test_an_insight_is_stored_in_one_write(community, monkeypatch):
    """What put_insight receives is the whole result: window and items together."""
    written: list[Insight] = []
    monkeypatch.setattr(community.content, "put_insight", written.append)
    run(community, ["device_log_levels"])
    [insight] = written
    assert set(insight.result) == {"window", "items"} and insight.result["items"]
    assert insight.computed_at > utcnow() - timedelta(minutes=5)
