"""Data written through the HTTP API is in each real store, read back with that store's
own client: SQL over psycopg, CQL over cassandra-driver, redis-py, a Kafka consumer, the
search server's REST API, Cypher over Bolt, and S3 GetObject. Needs `townsquare stack up`."""

from __future__ import annotations

import json
import time
import uuid

import boto3
import psycopg
import pytest
import redis
import requests
from cassandra.cluster import Cluster
from kafka import KafkaConsumer
from neo4j import GraphDatabase

from functions.auth import token_hash
from functions.registry import load
from shared.adapters.search.elastic import DEFAULT_INDEX
from shared.context import Services
from shared.settings import Settings
from stack import URLS
from tests.conftest import Api, real_overrides
from triggers.http import create_app
from triggers.kafka import EventDispatcher

pytestmark = pytest.mark.real


@pytest.fixture(scope="module")
def written(tmp_path_factory, run_event_groups):
    """One user, a post with media, a message — written through the API on the real stack."""
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("data"), _env_file=None, **real_overrides()
    )
    services = Services(settings)
    api = Api(create_app(services).test_client(), EventDispatcher(services, load()))
    ada, bob = api.person("Ada"), api.person("Bob")
    word = "zq" + uuid.uuid4().hex[:10]
    media = api.post(
        "/media", ada, data=b"\x89PNG real bytes", content_type="image/png"
    ).get_json()["media"]
    post = api.post(
        "/posts", ada, json={"text": f"hello {word}", "scope": "public", "media": [media["uuid"]]}
    ).get_json()["post"]
    message = api.post("/messages", ada, json={"to_user": bob.uuid, "text": "stored?"}).get_json()[
        "message"
    ]
    api.events.drain(timeout=0.5)
    yield {"ada": ada, "post": post, "media": media, "message": message, "word": word}
    api.events.close()
    services.close()


def test_user_is_in_postgresql(written):
    with psycopg.connect(URLS["accounts"]) as conn:
        row = conn.execute(
            "SELECT user_email, user_name FROM user_master WHERE user_uuid = %s",
            (written["ada"].uuid,),
        ).fetchone()
    assert row == (written["ada"].user["email"], "Ada")


def test_post_and_archived_message_are_in_cassandra(written):
    host, port = URLS["content"].removeprefix("cassandra://").split("/")[0].split(":")
    cluster = Cluster([host], port=int(port))
    session = cluster.connect("townsquare")
    try:
        post = session.execute(
            "SELECT post_text FROM post_master WHERE post_uuid = %s",
            (uuid.UUID(written["post"]["uuid"]),),
        ).one()
        assert post.post_text == f"hello {written['word']}"
        rows = session.execute(
            "SELECT message_uuid FROM messages_archive WHERE conversation = %s",
            (written["message"]["conversation"],),
        )
        assert uuid.UUID(written["message"]["uuid"]) in {row.message_uuid for row in rows}
    finally:
        cluster.shutdown()


def test_session_and_live_message_are_in_redis(written):
    client = redis.Redis.from_url(URLS["live"], decode_responses=True)
    assert (
        client.get(f"townsquare:session:{token_hash(written['ada'].token)}") == written["ada"].uuid
    )
    stored = json.loads(client.get(f"townsquare:message:{written['message']['uuid']}"))
    assert stored["text"] == "stored?"


def test_post_created_event_is_on_kafka(written):
    consumer = KafkaConsumer(
        "townsquare.events",
        bootstrap_servers=URLS["bus"].removeprefix("kafka://"),
        group_id=f"raw-check-{uuid.uuid4().hex}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=15000,
    )
    try:
        found = [
            json.loads(record.value)
            for record in consumer
            if record.key == written["post"]["uuid"].encode()
        ]
        assert any(event["type"] == "post.created" for event in found)
    finally:
        consumer.close()


def test_post_is_in_the_search_index(written):
    base = URLS["search"].replace("opensearch://", "http://")
    url = f"{base}/{DEFAULT_INDEX}/_doc/posts:{written['post']['uuid']}"
    doc = requests.get(url, timeout=10).json()
    assert doc["found"] and written["word"] in doc["_source"]["text"]


def test_authorship_is_in_neo4j(written):
    driver = GraphDatabase.driver(URLS["graph"], auth=None)
    try:
        records, _, _ = driver.execute_query(
            "MATCH (:User {uuid: $user})-[:AUTHORED]->(p:Post {uuid: $post}) RETURN count(p) AS n",
            user=written["ada"].uuid,
            post=written["post"]["uuid"],
        )
        assert records[0]["n"] == 1
    finally:
        driver.close()


def test_media_bytes_are_in_s3(written):
    endpoint = URLS["blobs"].split("endpoint=")[1]
    s3 = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    deadline = time.monotonic() + 5
    body = s3.get_object(Bucket="townsquare-media", Key=f"media/{written['media']['uuid']}")[
        "Body"
    ].read()
    assert body == b"\x89PNG real bytes" and time.monotonic() < deadline


def test_postgresql_statements_are_bounded_tightly_and_whole_table_reads_loosely():
    """A request's statement ends at accounts_timeout (a stalled server costs it under a
    second); a workflow's whole-table read (bulk) may run far longer."""
    from shared.adapters.accounts.engine import transaction
    from shared.adapters.accounts.sql import SqlAccounts
    from shared.errors import Unavailable

    accounts = SqlAccounts(URLS["accounts"], timeout=0.5)
    try:
        with transaction(accounts.engine, "probe", write=False) as conn:
            assert conn.exec_driver_sql("SHOW statement_timeout").scalar() == "500ms"
        with (
            pytest.raises(Unavailable, match="statement timeout"),
            transaction(accounts.engine, "slow", write=False) as conn,
        ):
            conn.exec_driver_sql("SELECT pg_sleep(1)")
        bulk = accounts.caps.bulk_bound
        with transaction(accounts.engine, "bulk", write=False, bulk=bulk) as conn:
            assert conn.exec_driver_sql("SELECT pg_sleep(1), 1").one()[1] == 1
        with transaction(accounts.engine, "after", write=False) as conn:  # bound restored
            assert conn.exec_driver_sql("SHOW statement_timeout").scalar() == "500ms"
    finally:
        accounts.close()
