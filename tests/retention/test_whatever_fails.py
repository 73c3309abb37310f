"""`murmure retention` processes every queued erasure whatever else fails, and says what it
could not do: monthly indices for odd years (1, 9999) or that refuse deletion do not stop it."""

import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch
from typer.testing import CliRunner

from indexer.layout import layout
from murmure.cli import app
from retention.erasure import ErasureTarget
from retention.expiry import month_bounds
from retention.requests import request_erasure
from tests.summaries.seed import index_mentions, mention, write_profile

pytestmark = pytest.mark.integration

PREFIX = layout().mentions.index_prefix
YEAR_9999 = f"{PREFIX}9999.12"
YEAR_1 = f"{PREFIX}1.01"  # as `%Y` wrote year 1: not zero-padded
BLOCKED = f"{PREFIX}2000.02"  # old enough to expire, but refuses to be deleted


def test_month_bounds_of_the_first_and_last_years() -> None:
    assert month_bounds(YEAR_1) == (datetime(1, 1, 1, tzinfo=UTC), datetime(1, 2, 1, tzinfo=UTC))
    assert month_bounds(f"{PREFIX}0001.01") == month_bounds(YEAR_1)
    assert month_bounds(YEAR_9999) == (datetime(9999, 12, 1, tzinfo=UTC), None)
    assert month_bounds(f"{PREFIX}2001.13") is None
    assert layout().mentions.index_for(datetime(1, 1, 5, tzinfo=UTC)) == f"{PREFIX}0001.01"


def _create(es: Elasticsearch, name: str) -> None:
    if not es.indices.exists(index=name):
        es.indices.create(index=name)


def test_every_request_is_processed_and_what_failed_is_reported(
    es: Elasticsearch, tmp_path: Path
) -> None:
    for name in (YEAR_9999, YEAR_1, BLOCKED):
        _create(es, name)
    es.indices.put_settings(index=BLOCKED, settings={"index.blocks.read_only": True})
    posts = [
        mention(f"La BU ferme tôt, post {n}", datetime(2036, 5, 4 + n, 9, tzinfo=UTC))
        for n in range(2)
    ]
    index_mentions(es, posts)
    requests = [
        request_erasure(es, ErasureTarget("mention", post.id), now=datetime.now(UTC))
        for post in posts
    ]
    profile = write_profile(tmp_path, f"test-{uuid.uuid4().hex[:8]}")
    try:
        result = CliRunner().invoke(app, ["retention", "--profile", str(profile)])
    finally:
        es.indices.put_settings(index=BLOCKED, settings={"index.blocks.read_only": False})
    es.indices.delete(index=BLOCKED)

    assert result.exit_code == 1, result.output  # something could not be done, and it says so
    assert BLOCKED in result.output and "not deleted" in result.output
    for request_id in requests:
        stored = es.get(index=layout().erasure_requests, id=request_id)["_source"]
        assert stored["status"] == "done", stored
    found = es.search(
        index=layout().mentions.alias, query={"ids": {"values": [p.id for p in posts]}}
    )
    assert found["hits"]["total"]["value"] == 0
    assert not es.indices.exists(index=YEAR_1)  # a month long past: expired
    assert es.indices.exists(index=YEAR_9999)  # not past anything: kept
    es.indices.delete(index=YEAR_9999)
