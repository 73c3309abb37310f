"""A mention indexed in the real Elasticsearch is found by its tags and its words."""

from datetime import UTC, datetime

import pytest
from elasticsearch import Elasticsearch

from indexer.bulk import IndexAction, bulk_index
from indexer.document import to_document
from indexer.layout import layout
from tests.factories import enriched_mention

MONTHLY = layout().mentions.index_prefix  # monthly mention indices: MONTHLY + "YYYY.MM"

pytestmark = pytest.mark.integration


def index(es: Elasticsearch, *mentions: object) -> None:
    actions = [
        IndexAction(
            index=layout().mentions.index_for(m.created_at),  # type: ignore[attr-defined]
            doc_id=m.id,  # type: ignore[attr-defined]
            document=to_document(m, indexed_at=datetime.now(UTC)),  # type: ignore[arg-type]
        )
        for m in mentions
    ]
    outcome = bulk_index(es, actions)
    assert outcome.written == list(range(len(actions))), outcome
    es.indices.refresh(index=layout().mentions.alias)


def test_index_and_search_a_mention(es: Elasticsearch) -> None:
    mention = enriched_mention("Plus de wifi à la médiathèque depuis ce matin, écrivez à [EMAIL]")
    index(es, mention)
    alias = layout().mentions.alias
    by_tags = es.search(
        index=alias,
        query={
            "bool": {
                "filter": [
                    {"term": {"topics": "wifi"}},
                    {"term": {"complaint": True}},
                    {"term": {"id": mention.id}},
                ]
            }
        },
    )
    assert by_tags["hits"]["total"]["value"] == 1
    hit = by_tags["hits"]["hits"][0]
    assert hit["_id"] == mention.id
    assert hit["_index"] == f"{MONTHLY}2026.11"
    assert hit["_source"]["evidence"] == [{"topic": "wifi", "start": 8, "end": 12, "text": "wifi"}]
    by_words = es.search(
        index=alias,
        query={
            "bool": {"must": {"match": {"text": "wifi"}}, "filter": {"term": {"id": mention.id}}}
        },
    )
    assert by_words["hits"]["total"]["value"] == 1


def test_a_mention_seen_twice_is_one_document(es: Elasticsearch) -> None:
    mention = enriched_mention("La médiathèque est fermée ce dimanche")
    index(es, mention)
    index(es, mention)
    found = es.count(index=layout().mentions.alias, query={"term": {"id": mention.id}})
    assert found["count"] == 1
