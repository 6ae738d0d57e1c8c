"""The insights job on the real tier: every port on the stack's servers, and Spark on
the stack's standalone cluster (spark://127.0.0.1:17077), not local[*].

Marked real: it needs `townsquare stack up` and fails, never skips, without it."""

from __future__ import annotations

import pytest

from shared.context import Services
from shared.records import Post, Reaction, new_uuid, utcnow
from shared.settings import Settings
from stack import URLS
from tests.conftest import real_overrides
from workflows.analytics.run import run
from workflows.analytics.spark import session

pytestmark = [pytest.mark.real, pytest.mark.slow, pytest.mark.timeout(600)]


@pytest.fixture
def real(tmp_path):
    overrides = {k: v for k, v in real_overrides().items() if k != "mqtt_url"}
    # insights of its own: the API suite's tests on the shared keyspace expect none computed
    overrides["content_url"] = overrides["content_url"].replace(
        "/townsquare", "/townsquare_analytics"
    )
    settings = Settings(data_dir=tmp_path, _env_file=None, **overrides)
    services = Services(settings)
    yield services
    services.close()


def test_the_insights_job_runs_on_the_standalone_cluster(real):
    assert real.settings.spark_master() == URLS["analytics"] == "spark://127.0.0.1:17077"
    post = Post(new_uuid(), new_uuid(), "", "a #clusterrun post", "public", None, (), "s", utcnow())
    real.content.put_post(post)
    for _ in range(40):
        real.content.put_reaction(Reaction(post.uuid, new_uuid(), "like", utcnow()))

    outcome = run(real, ["top_posts", "active_users"])

    assert session(real.settings).sparkContext.master == URLS["analytics"]
    assert outcome.failed == {} and outcome.stored == ["top_posts", "active_users"]
    top = real.content.get_insight("top_posts").result["items"]
    assert post.uuid in [item["uuid"] for item in top]
    assert outcome.export.rows["posts"] >= 1 and outcome.export.rows["reactions"] >= 40
