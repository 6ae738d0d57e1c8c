"""Configuration that cannot work is refused at start, naming the setting (shared.settings)."""

from __future__ import annotations

import pytest

from shared.settings import Settings
from triggers.cli import main

REFUSED = [
    ({"password_memory_kib": 16}, "TOWNSQUARE_PASSWORD_MEMORY_KIB", "32 KiB"),  # 4 lanes
    ({"password_memory_kib": 8, "password_parallelism": 2}, "PASSWORD_MEMORY_KIB", "16 KiB"),
    ({"password_time_cost": 0}, "TOWNSQUARE_PASSWORD_TIME_COST", "greater than or equal to 1"),
    ({"password_parallelism": 0}, "TOWNSQUARE_PASSWORD_PARALLELISM", "greater than or equal"),
    ({"max_body_bytes": 0}, "TOWNSQUARE_MAX_BODY_BYTES", "greater than or equal to 1"),
    ({"write_rate_per_minute": -5}, "TOWNSQUARE_WRITE_RATE_PER_MINUTE", "greater than"),
    ({"token_ttl": 0}, "TOWNSQUARE_TOKEN_TTL", "greater than or equal to 60"),
    ({"message_ttl": 120}, "TOWNSQUARE_MESSAGE_TTL", "greater than 180"),
    ({"backend_timeout": 0}, "TOWNSQUARE_BACKEND_TIMEOUT", "greater than 0"),
    ({"live_timeout": -1}, "TOWNSQUARE_LIVE_TIMEOUT", "greater than 0"),
    ({"breaker_failures": 0}, "TOWNSQUARE_BREAKER_FAILURES", "greater than or equal to 1"),
    ({"accounts_url": "mysql://db/x"}, "TOWNSQUARE_ACCOUNTS_URL", "Known schemes: postgres"),
    ({"live_url": "rediss://h:6379"}, "TOWNSQUARE_LIVE_URL", "did you mean 'redis'"),
]


@pytest.mark.parametrize(("values", "setting", "reason"), REFUSED)
def test_what_cannot_work_is_refused_naming_the_setting(values, setting, reason):
    with pytest.raises(SystemExit) as refused:
        Settings.load(_env_file=None, **values)
    message = str(refused.value.code)
    assert message.startswith("townsquare: this configuration cannot work:")
    assert setting in message and reason in message


def test_what_can_work_is_accepted():
    settings = Settings.load(_env_file=None, password_memory_kib=32, message_ttl=181,
                             accounts_url="postgresql://u:p@db/x", live_url="redis://h:6379/0")  # fmt: skip
    assert settings.timeout("live") == settings.live_timeout < settings.timeout("accounts")
    assert settings.timeout("accounts") == settings.accounts_timeout < settings.timeout("content")


def test_a_refusal_never_repeats_the_value_it_may_be_a_secret():
    with pytest.raises(SystemExit) as refused:
        Settings.load(_env_file=None, accounts_url="mysql://admin:hunter2@db/x", token_ttl="s3cr3t")
    message = str(refused.value.code)
    assert "TOWNSQUARE_ACCOUNTS_URL" in message and "TOWNSQUARE_TOKEN_TTL" in message
    assert "hunter2" not in message and "s3cr3t" not in message


def test_townsquare_dev_stops_at_start_on_a_configuration_that_cannot_work(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("TOWNSQUARE_PASSWORD_MEMORY_KIB", "16")
    with pytest.raises(SystemExit) as refused:
        main(["dev", "--data", str(tmp_path / "data"), "--port", "0"])
    assert "TOWNSQUARE_PASSWORD_MEMORY_KIB" in str(refused.value.code)
    assert not (tmp_path / "data").exists()  # nothing started, nothing written
