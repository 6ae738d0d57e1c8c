"""Run a function on an event: the one invocation path of every trigger kind.

The bus dispatcher, the MQTT bridge, the cron scheduler and the deployed CloudEvent
targets all call `run_on_event`; each keeps only its own translation (what arrives →
CloudEvent; the outcome → commit, ack, retry or status). The rules, written once:
- the handler runs inside `instrumented` (metrics by function and trigger kind);
- a backend outage (Unavailable) is retried with exponential backoff, then raised: the
  trigger decides what a lasting outage means for its delivery;
- what the function rejects (a TownsquareError) or fails on (a bug) goes to the
  dead-letter topic with the reason, so a poison event never stalls a stream;
- a dead letter never keeps a bearer token, whether or not its payload parses;
- a batch function (`on_event(type, batch=True)`) gets a list of events: `run_on_batch`
  hands it a poll's worth in one call (one bulk write instead of one per event); when
  that call rejects or fails, each event is run alone, so a poison event is dead-lettered
  with its own reason and the others still run. Alone, it gets a list of one.
"""

from __future__ import annotations

import base64
import logging
import re
from dataclasses import dataclass

from cloudevents.http import CloudEvent
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from functions.registry import Function
from shared.context import Context, Services
from shared.errors import TownsquareError, Unavailable
from shared.events import encode, make_event
from shared.ports.bus import DEAD_LETTER
from triggers.metrics import instrumented

log = logging.getLogger("townsquare.invoke")
ATTEMPTS = 5
TOKEN_FIELD = re.compile(rb'("token"\s*:\s*)"(?:[^"\\]|\\.)*"')


@dataclass(frozen=True)
class Arrival:
    """One event as a trigger received it: where from, and the bytes that came."""

    event: CloudEvent
    source: str
    raw: bytes | None = None
    key: str | None = None


def run_on_batch(
    ctx: Context,
    function: Function,
    arrivals: list[Arrival],
    *,
    trigger: str,
    attempts: int = ATTEMPTS,
) -> int:
    """Run `function` on `arrivals`: in one call for a batch function, else one at a time
    (rules: module doc); return how many finished (the rest went to the dead letters)."""
    if function.takes_batches and len(arrivals) > 1:
        try:
            _retrying(attempts)(_call, ctx, function, [a.event for a in arrivals], trigger)
            return len(arrivals)
        except Unavailable:
            raise
        except Exception as exc:  # find the poison: each alone, each with its own reason
            log.info(
                "%s: a batch of %d failed (%s); one at a time", function.name, len(arrivals), exc
            )
    return sum(
        run_on_event(
            ctx,
            function,
            a.event,
            trigger=trigger,
            source=a.source,
            raw=a.raw,
            key=a.key,
            attempts=attempts,
        )
        for a in arrivals
    )


def _retrying(attempts: int) -> Retrying:
    return Retrying(
        retry=retry_if_exception_type(Unavailable),
        wait=wait_exponential(multiplier=0.05, max=2),
        stop=stop_after_attempt(attempts),
        reraise=True,
    )


def run_on_event(
    ctx: Context,
    function: Function,
    event: CloudEvent,
    *,
    trigger: str,
    source: str,
    raw: bytes | None = None,
    key: str | None = None,
    attempts: int = ATTEMPTS,
) -> bool:
    """Run `function` on `event` (rules: module doc); True if it finished, False if the
    event went to the dead-letter topic. `raw` is what arrived (default: the encoded
    event), `source` names where it came from, both for the dead letter."""
    try:
        _retrying(attempts)(
            _call, ctx, function, [event] if function.takes_batches else event, trigger
        )
        return True
    except Unavailable:
        raise
    except TownsquareError as exc:
        reason = f"{exc.code}: {exc.message}"
    except Exception as exc:  # a poison event must not stall the stream
        log.exception("%s failed on %s", function.name, source)
        reason = f"{type(exc).__name__}: {exc}"
    publish_dead_letter(
        ctx.services,
        reason=reason,
        source=source,
        raw=encode(event) if raw is None else raw,
        function=function.name,
        key=key,
    )
    return False


def _call(
    ctx: Context, function: Function, event: CloudEvent | list[CloudEvent], trigger: str
) -> None:
    with instrumented(ctx.services, function.name, trigger):
        function.handler(event, ctx)


def publish_dead_letter(
    services: Services,
    *,
    reason: str,
    source: str,
    raw: bytes,
    function: str | None = None,
    key: str | None = None,
) -> None:
    """Put what could not be processed on townsquare.dead-letter, with the reason."""
    data = {
        "reason": reason,
        "source": source,
        "function": function,
        "original_base64": base64.b64encode(without_token(raw)).decode(),
    }
    event = make_event("townsquare.dead_letter", key or source, data)
    services.bus.publish_raw(encode(event), key=key, topic=DEAD_LETTER)
    log.warning("dead letter from %s: %s", source, reason)


def without_token(raw: bytes) -> bytes:
    """Dead letters are read by operators: mask every "token" field's value."""
    return TOKEN_FIELD.sub(rb'\1"***"', raw)
