"""The online anomaly detector: a robust z-score of a minute's count against a baseline,
computed with river's rolling median and interquartile range.

Each family of series has a baseline of its own kind:
- per entity (one account, group or device): the counts of *other* complete minutes of
  the family's entities — a population baseline, so a new account's first burst is
  judged against how everyone else behaves. When an entity's new minute begins, its last
  minute is complete and is pushed to the family's sample window (LEARN_WINDOW values in
  the live store), unless that minute was flagged: anomalies do not teach the baseline;
- overall (all posts, all failed logins, all HTTP requests): its own last HISTORY minutes,
  zeros included, and it is judged only once WARMUP of those minutes saw activity.

The model's state is that window of observations in the live store, so a stateless
function restores river's rolling statistics from it on each judgement, and every process
shares one baseline. Judging happens only once a minute's count reaches its family's
floor: normal traffic never pays for it, and a cold start (no baseline yet) flags only
counts no person produces by hand. A series is flagged at most once per minute.
"""

from __future__ import annotations

from dataclasses import dataclass

from river import stats

from shared import channels
from shared.context import Context
from shared.livestats import KEEP_COUNTS, minute_of, series
from shared.records import iso

LEARN_WINDOW = 240  # complete per-entity minutes a family's baseline remembers
HISTORY = 60  # minutes of its own past an overall series is judged against
WARMUP = 10  # active minutes an overall series needs before it may be flagged
THRESHOLD = 4.0  # robust z-score above which a count is anomalous
MIN_SPREAD = 1.0  # a flat baseline (IQR 0) still tolerates this much spread
IQR_TO_SIGMA = 1.349  # IQR of a normal distribution, in standard deviations
KEEP_FLAGS = 7 * 24 * 3600
FLAGS = "anomalies"  # the live timeline of flags, and the operators' pub/sub channel
OPERATORS_CHANNEL = channels.OPERATORS


@dataclass(frozen=True)
class Family:
    name: str
    floor: int  # a minute's count below this is never flagged
    per_entity: bool
    about: str


FAMILIES = {
    family.name: family
    for family in (
        Family("messages.account", 30, True, "a burst of messages from one account"),
        Family("messages.group", 120, True, "a burst of messages in one group"),
        Family("posts", 120, False, "a surge of posts"),
        # below the sign-in limit (login_attempts_per_account, any outcome, per 15 minutes):
        # attempts the limit refuses (429) never reach the password check nor this count
        Family("logins.failed.account", 5, True, "a spike of failed logins on one account"),
        Family("logins.failed", 30, False, "a spike of failed logins"),
        Family("device.errors", 20, True, "a device whose error rate jumped"),
        Family("http.requests", 1200, False, "a traffic surge"),
        Family("http.errors", 60, False, "a surge of server errors"),
    )
}


@dataclass(frozen=True)
class Judgement:
    value: float
    expected: tuple[float, float]
    score: float

    @property
    def anomalous(self) -> bool:
        return self.value > self.expected[1]


def judge(values: list[float], value: float, floor: int) -> Judgement:
    """How `value` compares with the baseline `values` (river's rolling median and IQR)."""
    window = max(1, len(values))
    median, iqr = stats.RollingQuantile(0.5, window), stats.RollingIQR(window)
    for observed in values:
        median.update(observed)
        iqr.update(observed)
    center = (median.get() or 0.0) if values else 0.0
    spread = max((iqr.get() or 0.0) / IQR_TO_SIGMA if values else 0.0, MIN_SPREAD)
    low = max(0.0, center - THRESHOLD * spread)
    high = max(center + THRESHOLD * spread, float(floor - 1))
    return Judgement(value, (round(low, 2), round(high, 2)), round((value - center) / spread, 2))


def observe(ctx: Context, family_name: str, entity: str | None = None, by: int = 1) -> dict | None:
    """Count `by` on the family's series for this minute and judge it; the flag, if raised."""
    family = FAMILIES[family_name]
    name = series(family.name, entity)
    minute = minute_of(ctx.clock())
    value = ctx.live.count(name, minute, by, keep=KEEP_COUNTS)
    if family.per_entity and value == by:
        _learn_last_minute(ctx, family, name, minute)
    if value < family.floor:
        return None
    return check(ctx, family_name, entity, minute, value)


def check(
    ctx: Context, family_name: str, entity: str | None, minute: int, value: int
) -> dict | None:
    """Judge one minute's `value` of a series against its family's baseline; flag it if
    anomalous (once per series and minute). Returns the flag raised, if any."""
    family = FAMILIES[family_name]
    name = series(family.name, entity)
    if value < family.floor:
        return None
    if family.per_entity:
        baseline = ctx.live.samples(f"baseline:{family.name}")
    else:
        baseline = [float(v) for v in ctx.live.counts(name, minute - HISTORY, minute - 1)]
        if sum(1 for v in baseline if v) < WARMUP:
            return None
    judgement = judge(baseline, value, family.floor)
    if not judgement.anomalous:
        return None
    if ctx.live.count(f"flagged:{name}", minute, keep=KEEP_COUNTS) != 1:
        return None  # already flagged this minute
    return _flag(ctx, family, name, judgement)


def _learn_last_minute(ctx: Context, family: Family, name: str, minute: int) -> None:
    [last] = ctx.live.counts(name, minute - 1, minute - 1)
    [flagged] = ctx.live.counts(f"flagged:{name}", minute - 1, minute - 1)
    if last and not flagged:
        ctx.live.push_sample(f"baseline:{family.name}", last, keep=LEARN_WINDOW)


def _flag(ctx: Context, family: Family, name: str, judgement: Judgement) -> dict:
    now = ctx.clock()
    flag = {
        "series": name,
        "value": judgement.value,
        "expected": list(judgement.expected),
        "score": judgement.score,
        "at": iso(now),
        "about": family.about,
    }
    ctx.live.add_to_timeline(FLAGS, now, flag, keep=KEEP_FLAGS)
    ctx.live.publish(OPERATORS_CHANNEL, {"type": "anomaly.detected", "data": flag})
    ctx.emit("anomaly.detected", name, flag)
    ctx.log.warning("anomaly: %s = %s, expected %s", name, judgement.value, judgement.expected)
    return flag
