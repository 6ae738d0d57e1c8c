"""The circuit breaker of a port (shared.breakers), around a real embedded adapter (accounts
on SQLite) whose database file is made unopenable."""

from __future__ import annotations

import time

import pytest

from shared.context import Services
from shared.errors import Conflict, NotFound, Unavailable
from shared.records import User, new_uuid, utcnow
from shared.settings import Settings
from tests.outages import unopenable

RESET = 2.0  # seconds an open breaker refuses before it lets a trial call through


@pytest.fixture
def services(tmp_path):
    settings = Settings(
        data_dir=tmp_path, _env_file=None, breaker_failures=3, breaker_reset_seconds=RESET
    )
    services = Services(settings)
    yield services
    services.close()


def a_user(services) -> User:
    user = User(uuid=new_uuid(), email=f"{new_uuid()}@example.org", name="Ada", phone=None,
                signup_date=utcnow())  # fmt: skip
    return services.accounts.create_user(user, "not-a-hash")


def test_bad_input_never_opens_the_breaker(services):
    user = a_user(services)
    for _ in range(10):
        with pytest.raises(NotFound):
            services.accounts.get_user(new_uuid())
        with pytest.raises(Conflict):
            services.accounts.create_user(user, "not-a-hash")
    assert services.breakers["accounts"].closed
    assert services.health()["accounts"] == "ok"


def test_faults_open_the_breaker_it_fails_fast_and_a_trial_call_closes_it(services, tmp_path):
    user, breaker = a_user(services), services.breakers["accounts"]
    with unopenable(services.accounts.engine, tmp_path / "accounts.db"):
        for _ in range(3):  # the driver's own failures
            with pytest.raises(Unavailable) as failed:
                services.accounts.get_user(user.uuid)
            assert "circuit open" not in failed.value.message
        assert breaker.opened and services.health()["accounts"] == "unavailable"
        with pytest.raises(Unavailable, match="circuit open") as refused:
            services.accounts.get_user(user.uuid)
        assert 1 <= refused.value.retry_after <= RESET  # seconds until a trial call
        assert refused.value.public == Unavailable("").public  # the generic text only
        time.sleep(RESET)
        with pytest.raises(Unavailable) as trial:  # the trial call reaches the driver...
            services.accounts.get_user(user.uuid)
        assert "circuit open" not in trial.value.message
        assert breaker.opened  # ...and, failing, opens the breaker again
    with pytest.raises(Unavailable, match="circuit open"):  # back, but not asked yet
        services.accounts.get_user(user.uuid)
    time.sleep(RESET)
    assert services.accounts.get_user(user.uuid) == user
    assert breaker.closed and services.health()["accounts"] == "ok"


def test_other_ports_keep_working_while_one_breaker_is_open(services, tmp_path):
    a_user(services)
    with unopenable(services.accounts.engine, tmp_path / "accounts.db"):
        for _ in range(3):
            with pytest.raises(Unavailable):
                services.accounts.count_users()
        health = services.health()
        assert health.pop("accounts") == "unavailable"
        assert set(health.values()) == {"ok"}
        assert services.live.session_user(new_uuid()) is None


def test_a_full_connection_pool_is_busy_not_an_outage(tmp_path):
    """Every pooled connection in use is this process's capacity (Busy: 503 with
    Retry-After, never counted by a breaker), not the database being down."""
    from sqlalchemy import create_engine

    from shared.adapters.accounts.engine import transaction
    from shared.breakers import is_fault
    from shared.errors import Busy

    engine = create_engine(
        f"sqlite:///{tmp_path / 'pool.db'}", pool_size=1, max_overflow=0, pool_timeout=0.1
    )
    try:
        with (
            engine.connect(),
            pytest.raises(Busy, match="connections busy") as raised,
            transaction(engine, "second", write=False) as conn,
        ):
            conn.exec_driver_sql("SELECT 1")
        assert not is_fault(type(raised.value), raised.value)
    finally:
        engine.dispose()
