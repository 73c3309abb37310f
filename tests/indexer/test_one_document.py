"""A mention id is one document whatever its date becomes (an edited post, a corrected clock),
so updates and erasure by id find exactly one, in the index of the mention's current month."""

import uuid
from datetime import UTC, datetime

import pytest
from elasticsearch import Elasticsearch

from indexer.layout import layout
from schemas import EnrichedMention
from tests.factories import enriched_mention
from tests.pipeline.test_faults import send_enriched
from tests.pipeline.workers import eventually, index_worker, new_group
from tests.summaries.seed import index_mentions

pytestmark = pytest.mark.integration

JANUARY = datetime(2035, 1, 15, 9, 0, tzinfo=UTC)
FEBRUARY = datetime(2035, 2, 3, 9, 0, tzinfo=UTC)
MARCH = datetime(2035, 3, 20, 9, 0, tzinfo=UTC)


def _dated(
    mention_id: str, at: datetime, text: str = "Le wifi de Lanvern est HS"
) -> EnrichedMention:
    native_id = mention_id.removeprefix("mastodon:")
    return enriched_mention(text, native_id=native_id, created_at=at, fetched_at=at)


def _copies(es: Elasticsearch, mention_id: str) -> list[tuple[str, str]]:
    alias = layout().mentions.alias
    es.indices.refresh(index=alias)
    hits = es.search(index=alias, query={"ids": {"values": [mention_id]}}, size=10)["hits"]["hits"]
    return sorted((hit["_index"], hit["_source"]["created_at"]) for hit in hits)


def _index(at: datetime) -> str:
    return layout().mentions.index_for(at)


def test_a_mention_whose_date_changes_stays_one_document(es: Elasticsearch, topics: None) -> None:
    moved, twice_in_a_row, back = (f"mastodon:{uuid.uuid4().hex}" for _ in range(3))
    latest = {moved: FEBRUARY, twice_in_a_row: MARCH, back: JANUARY}
    with index_worker(new_group("enriched")):
        send_enriched([_dated(moved, JANUARY), _dated(back, FEBRUARY)])
        eventually(lambda: len(_copies(es, moved)) == 1, 60, "the first version")
        # Right after the first write (not yet searchable without a refresh), a new date.
        send_enriched([_dated(moved, FEBRUARY, "Le wifi de Lanvern est HS (modifié)")])
        send_enriched([_dated(twice_in_a_row, JANUARY), _dated(twice_in_a_row, MARCH)])
        send_enriched([_dated(back, JANUARY)])
        eventually(
            lambda: all(_index(at) in dict(_copies(es, i)) for i, at in latest.items()),
            60,
            "every latest version written",
        )
    # The worker has stopped: what it left is final.
    for mention_id, at in latest.items():
        assert _copies(es, mention_id) == [(_index(at), at.isoformat().replace("+00:00", "Z"))]
    document = es.get(index=_index(FEBRUARY), id=moved)["_source"]
    assert document["text"].endswith("(modifié)")


def test_copies_left_by_an_earlier_version_are_removed_on_the_next_write(
    es: Elasticsearch, topics: None
) -> None:
    mention_id = f"mastodon:{uuid.uuid4().hex}"
    index_mentions(es, [_dated(mention_id, JANUARY)])
    index_mentions(es, [_dated(mention_id, MARCH)])  # two documents, as the indexer used to leave
    assert len(_copies(es, mention_id)) == 2
    with index_worker(new_group("enriched")):
        send_enriched([_dated(mention_id, FEBRUARY)])
        eventually(lambda: _index(FEBRUARY) in dict(_copies(es, mention_id)), 60, "written")
    assert [index for index, _ in _copies(es, mention_id)] == [_index(FEBRUARY)]
