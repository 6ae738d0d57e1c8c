"""The cron trigger: schedules from the registry, each tick run once across processes."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from functions.registry import Function, Schedule, load
from shared.context import Context, Services
from shared.settings import Settings
from triggers.cron import CronTrigger, run_tick


def test_each_tick_runs_once_across_processes(tmp_path):
    settings = Settings(data_dir=tmp_path, _env_file=None)
    runs: list[str] = []
    function = Function(
        "test.tick", lambda event, ctx: runs.append(event["subject"]), [Schedule("* * * * *")]
    )
    processes = [Services(settings) for _ in range(4)]  # four processes sharing one live store
    tick = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    threads = [
        threading.Thread(target=run_tick, args=(function, Context(services=s), tick))
        for s in processes
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert runs == ["2026-11-27T12:00:00Z"]
    run_tick(function, Context(services=processes[0]), tick.replace(minute=1))
    assert len(runs) == 2
    for services in processes:
        services.close()


def test_every_declared_schedule_is_scheduled(services):
    registry = load()
    services.settings.cron_off = ""
    cron = CronTrigger(services, registry)
    cron.start()
    try:
        jobs = {job.id for job in cron.scheduler.get_jobs()}
        assert jobs == {function.name for function, _ in registry.by_kind(Schedule)}
        assert jobs, "at least one function is scheduled"
    finally:
        cron.stop()


def test_a_process_may_leave_a_schedule_to_others(services):
    registry = load()
    services.settings.cron_off = "insights.compute_insights, messages.sweep_unarchived"
    cron = CronTrigger(services, registry)
    cron.start()
    try:
        jobs = {job.id for job in cron.scheduler.get_jobs()}
        assert "insights.compute_insights" not in jobs and "messages.sweep_unarchived" not in jobs
        assert jobs, "the other schedules still run"
    finally:
        cron.stop()
