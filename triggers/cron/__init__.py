"""Cron trigger: the registry's schedules, run by APScheduler, each tick once across processes."""

from triggers.cron.scheduler import CronTrigger, run_tick

__all__ = ["CronTrigger", "run_tick"]
