"""Each server of `python -m stack up` answers its own protocol, checked with its own client.

Marked ``real``: these need the running stack and FAIL (never skip) when a server is down.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.request
import uuid

import pytest

from stack import ENV, URLS

pytestmark = pytest.mark.real

HOST = "127.0.0.1"


def _run(*cmd: str, timeout: float = 20) -> str:
    assert shutil.which(cmd[0]), f"{cmd[0]} is not installed (python -m stack up installs it)"
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, (
        f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.strip()}"
    )
    return proc.stdout.strip()


def test_urls_name_every_port() -> None:
    assert set(URLS) == {
        "accounts", "content", "live", "bus", "search", "graph", "blobs", "mqtt", "mail", "analytics"
    }  # fmt: skip
    assert all(HOST in url for url in URLS.values())
    assert ENV["TOWNSQUARE_ACCOUNTS_URL"] == URLS["accounts"]


def test_postgres_psql() -> None:
    url = URLS["accounts"]
    assert url == "postgresql://townsquare:townsquare@127.0.0.1:15432/townsquare"
    assert _run("psql", url, "-tAc", "SELECT current_user || ' ' || current_database()") == (
        "townsquare townsquare"
    )
    version = _run("psql", url, "-tAc", "SHOW server_version_num")
    assert int(version) >= 150000


def test_postgres_psycopg_roundtrip() -> None:
    import psycopg

    with psycopg.connect(URLS["accounts"], connect_timeout=5) as conn:
        conn.execute("CREATE TEMP TABLE t (id int PRIMARY KEY, name text)")
        conn.execute("INSERT INTO t VALUES (1, 'ada')")
        assert conn.execute("SELECT name FROM t WHERE id = 1").fetchone() == ("ada",)


def test_redis_cli() -> None:
    base = ("redis-cli", "-h", HOST, "-p", "16379")
    assert _run(*base, "PING") == "PONG"
    key = f"stack-test:{uuid.uuid4()}"
    assert _run(*base, "SET", key, "hello", "EX", "30") == "OK"
    assert _run(*base, "GET", key) == "hello"
    assert _run(*base, "DEL", key) == "1"


def test_mosquitto_pub_sub() -> None:
    topic = f"stack-test/{uuid.uuid4()}"
    base = ("-h", HOST, "-p", "11883", "-t", topic)
    # A retained message is delivered to the subscriber whenever it connects: no race.
    _run("mosquitto_pub", *base, "-r", "-q", "1", "-m", "hello mqtt")
    try:
        assert _run("mosquitto_sub", *base, "-C", "1", "-W", "10") == "hello mqtt"
    finally:
        _run("mosquitto_pub", *base, "-r", "-n")  # clear the retained message


def test_cassandra_cql() -> None:
    from cassandra.cluster import EXEC_PROFILE_DEFAULT, Cluster, ExecutionProfile
    from cassandra.policies import WhiteListRoundRobinPolicy

    profile = ExecutionProfile(
        load_balancing_policy=WhiteListRoundRobinPolicy([HOST]), request_timeout=30
    )
    cluster = Cluster(
        [HOST], port=19042, connect_timeout=5, protocol_version=5,
        execution_profiles={EXEC_PROFILE_DEFAULT: profile},
    )  # fmt: skip
    try:
        session = cluster.connect()
        release = session.execute("SELECT release_version FROM system.local").one().release_version
        assert release.startswith("5.0")
        assert URLS["content"].endswith("/townsquare")
        table = f"townsquare.stack_test_{uuid.uuid4().hex[:8]}"
        session.execute(f"CREATE TABLE {table} (k text PRIMARY KEY, v int)")
        try:
            session.execute(f"INSERT INTO {table} (k, v) VALUES (%s, %s)", ("a", 1))
            assert session.execute(f"SELECT v FROM {table} WHERE k = %s", ("a",)).one().v == 1
        finally:
            session.execute(f"DROP TABLE {table}")
    finally:
        cluster.shutdown()


def test_kafka_metadata_and_roundtrip() -> None:
    from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer

    servers = f"{HOST}:19092"
    admin = KafkaAdminClient(bootstrap_servers=servers, request_timeout_ms=10000)
    try:
        cluster = admin.describe_cluster()
        assert [b["port"] for b in cluster["brokers"]] == [19092]
    finally:
        admin.close()
    topic = f"stack-test-{uuid.uuid4().hex[:8]}"
    producer = KafkaProducer(bootstrap_servers=servers, request_timeout_ms=10000)
    try:
        producer.send(topic, b"hello kafka").get(timeout=30)
    finally:
        producer.close()
    consumer = KafkaConsumer(
        topic, bootstrap_servers=servers, auto_offset_reset="earliest", consumer_timeout_ms=15000
    )
    try:
        assert [m.value for m in consumer][:1] == [b"hello kafka"]
    finally:
        consumer.close()


def test_neo4j_bolt() -> None:
    from neo4j import GraphDatabase

    driver = GraphDatabase.driver(URLS["graph"], auth=None, connection_timeout=5)
    with driver, driver.session() as session:
        versions, edition = session.run(
            "CALL dbms.components() YIELD versions, edition RETURN versions, edition"
        ).single()
        assert versions[0].startswith("5.26") and edition == "community"
        tag = str(uuid.uuid4())
        count = session.run(
            "CREATE (a:StackTest {tag: $tag})-[:KNOWS]->(b:StackTest {tag: $tag}) "
            "WITH a MATCH (n:StackTest {tag: $tag}) RETURN count(n) AS c",
            tag=tag,
        ).single()["c"]
        assert count == 2
        session.run("MATCH (n:StackTest {tag: $tag}) DETACH DELETE n", tag=tag).consume()


def test_opensearch_http() -> None:
    with urllib.request.urlopen(f"http://{HOST}:19200/", timeout=10) as resp:
        info = json.loads(resp.read())
    assert info["version"]["distribution"] == "opensearch"
    assert info["version"]["number"].startswith("2.19")
    index = f"stack-test-{uuid.uuid4().hex[:8]}"

    def call(method: str, path: str, body: dict | None = None) -> dict:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(
            f"http://{HOST}:19200{path}", data=data, method=method,
            headers={"Content-Type": "application/json"},
        )  # fmt: skip
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.loads(resp.read())

    try:
        call("PUT", f"/{index}/_doc/1?refresh=true", {"body": "hello townsquare search"})
        hits = call("POST", f"/{index}/_search", {"query": {"match": {"body": "townsquare"}}})
        assert hits["hits"]["total"]["value"] == 1
    finally:
        call("DELETE", f"/{index}")


def test_moto_s3() -> None:
    import boto3

    s3 = boto3.client(
        "s3", endpoint_url=f"http://{HOST}:15000", region_name="us-east-1",
        aws_access_key_id="test", aws_secret_access_key="test",
    )  # fmt: skip
    names = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert "townsquare-media" in names
    key = f"stack-test/{uuid.uuid4()}"
    s3.put_object(Bucket="townsquare-media", Key=key, Body=b"bytes")
    try:
        assert s3.get_object(Bucket="townsquare-media", Key=key)["Body"].read() == b"bytes"
    finally:
        s3.delete_object(Bucket="townsquare-media", Key=key)


def test_smtp_smtplib() -> None:
    import smtplib

    with smtplib.SMTP(HOST, 11025, timeout=5) as client:
        assert client.noop()[0] == 250


def test_status_reports_every_server_running() -> None:
    from stack.cli import run

    started = time.monotonic()
    assert run(["status"]) == 0
    assert time.monotonic() - started < 30
