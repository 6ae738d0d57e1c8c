"""R8 (second half): schemathesis, stateful, every check, against the live OpenAPI document
of the Townsquare under test (links between operations are inferred by schemathesis).

One check is tuned, and replaced by a stricter one of ours: "positive data acceptance"
expects every schema-valid request to succeed, but some rules cannot be said in JSON
Schema (media must be your own upload, group_uuid only with scope "group", a password
zxcvbn finds guessable). Such a request is a 400 — and `refusal_names_its_field` then
demands what the house rule wants of every 400: the JSON error naming the field."""

from __future__ import annotations

import time

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from tests.chaos.report import Row
from tests.chaos.traffic import Client, Tally

pytestmark = [
    pytest.mark.chaos,
    pytest.mark.real,
    pytest.mark.timeout(300),
]  # servers start in setup

STEPS = settings(
    max_examples=25,
    stateful_step_count=6,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "3xx", "400", "401", "403", "404", "409", "429"]
            }
        }
    }
)


@schemathesis.check
def refusal_names_its_field(ctx, response, case):
    """A 400 is the JSON error with a code, a message and the field at fault."""
    if response.status_code == 400:
        error = (response.json() or {}).get("error") or {}
        if not (error.get("code") and error.get("message") and error.get("field")):
            raise AssertionError(f"a 400 without code, message and field: {response.text[:200]}")


def stateful_run(base_url: str, tally: Tally) -> None:
    """Run schemathesis' state machine as one signed-in person; raises on a failed check."""
    person = Client(base_url, tally).person("schema")
    schema = schemathesis.openapi.from_url(base_url + "/openapi.json", config=CONFIG)
    workflow = schema.as_state_machine()

    class AsPerson(workflow):  # type: ignore[misc, valid-type]
        def get_call_kwargs(self, case):
            return {"headers": {"Authorization": f"Bearer {person['token']}"}, "timeout": 15}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            tally.answers.append(_answer(response))
            checks = [*(additional_checks or []), refusal_names_its_field]
            super().validate_response(response, case, checks, **kwargs)

    AsPerson.run(settings=STEPS)


def _answer(response):
    from tests.chaos.traffic import Answer

    return Answer(time.monotonic(), response.status_code, response.elapsed, "")


def test_r8_schemathesis_stateful_every_check(townsquare, report):
    row = report.add(Row("R8 schemathesis stateful"))
    tally = Tally()
    try:
        stateful_run(townsquare.base_url, tally)
    except Exception as exc:
        row.failed_checks += 1
        row.notes.append(f"schemathesis: {str(exc).splitlines()[0][:300]}")
        raise
    finally:
        row.sent = row.acked = len(tally.answers)
        row.rejections.update(str(a.status) for a in tally.answers if a.status >= 400)
        row.bad_5xx += sum(a.status >= 500 for a in tally.answers)
