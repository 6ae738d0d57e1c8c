"""The servers of the test stack, in start order (fast native ones first, then the JVMs)."""

from __future__ import annotations

from ..base import Server
from .cassandra import Cassandra
from .kafka import Kafka
from .mosquitto import Mosquitto
from .moto import Moto
from .neo4j import Neo4j
from .opensearch import OpenSearch
from .postgres import Postgres
from .redis import Redis
from .smtp import Smtp
from .spark import SparkMaster, SparkWorker

ALL: list[type[Server]] = [
    Postgres,
    Redis,
    Mosquitto,
    Moto,
    Smtp,
    Kafka,
    Neo4j,
    OpenSearch,
    Cassandra,
    SparkMaster,
    SparkWorker,
]


def by_name() -> dict[str, Server]:
    return {cls.name: cls() for cls in ALL}
