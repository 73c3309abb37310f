"""Integration tests run against the real Kafka and Elasticsearch that `murmure services` starts.

Each test session uses its own topic prefix, so runs never read each other's messages, and
every index name starts with `test-`, so tests never write into the indices staff search.
"""

import os
import uuid
from collections.abc import Iterator

import pytest
from elasticsearch import Elasticsearch

os.environ.setdefault("MURMURE_TOPIC_PREFIX", f"test-{uuid.uuid4().hex[:8]}.")
os.environ.setdefault("MURMURE_INDEX_PREFIX", "test-")
os.environ.setdefault("MURMURE_PSEUDONYM_KEY", "test-key-" + uuid.uuid4().hex)


@pytest.fixture(scope="session")
def services() -> Iterator[None]:
    """Starts the local services if they are not running (fast when they are)."""
    from services.stack import up

    up()
    yield


@pytest.fixture(scope="session")
def topics(services: None) -> None:
    from bus.kafka import ensure_topics

    ensure_topics()


@pytest.fixture(scope="session")
def es(services: None) -> Iterator[Elasticsearch]:
    from indexer.client import make_es_client
    from indexer.setup import ensure_templates

    client = make_es_client()
    ensure_templates(client)
    yield client
    client.close()
