"""Fixtures of the analytics tests: one small community, exported and computed once per
test session (one SparkSession per process, stopped at the end), on embedded backends."""

from __future__ import annotations

import pytest

from functions.registry import load
from shared.context import Context, Services
from shared.events import make_event
from shared.settings import Settings
from tests.analytics.community import add_history, load_demo
from tests.conftest import Api, unexpected_errors
from triggers.http import create_app
from triggers.kafka import EventDispatcher


@pytest.fixture(scope="session", autouse=True)
def _one_spark_session_per_run():
    yield
    from workflows.analytics import spark

    spark.stop()


def embedded_services(folder) -> Services:
    return Services(Settings(data_dir=folder, _env_file=None))


@pytest.fixture(scope="session")
def community(tmp_path_factory):
    """A demo community with some history, its insights computed by the cron function."""
    services = embedded_services(tmp_path_factory.mktemp("community"))
    load_demo(services)
    add_history(services)
    tick = make_event("townsquare.cron.tick", "2026-01-01T00:17:00Z", {})
    outcome = load().get("compute_insights").handler(tick, Context(services=services))
    assert outcome["failed"] == {} and len(outcome["stored"]) == 6, outcome
    yield services
    services.close()


@pytest.fixture
def community_api(community):
    app = create_app(community)
    app.testing = True
    dispatcher = EventDispatcher(community, load())
    with unexpected_errors() as faults:
        yield Api(app.test_client(), dispatcher)
    dispatcher.close()
    assert not faults, f"unexpected server errors: {faults!r}"
