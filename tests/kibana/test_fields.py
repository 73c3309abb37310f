"""Every field the saved objects use exists in the mapping Murmure creates, in the real
Elasticsearch, and is aggregatable where a Lens panel or a sort aggregates it."""

import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from alerts.index import ensure_alerts_index
from indexer.bulk import IndexAction, bulk_index
from indexer.document import to_document
from indexer.layout import layout, shipped_layout
from kibana.build import NDJSON
from tests.factories import enriched_mention
from tests.kibana.fields import field_uses

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def mention_index(es: Elasticsearch) -> Iterator[tuple[str, str]]:
    """One mention indexed by Murmure's own code into a monthly index of its own (year 2099)."""
    mentions = layout().mentions
    created = datetime(2099, random.randint(1, 12), 15, 9, 30, tzinfo=UTC)
    mention = enriched_mention(
        "Plus de wifi à la médiathèque depuis lundi", created_at=created, fetched_at=created
    )
    index = mentions.index_for(mention.created_at)
    action = IndexAction(index, mention.id, to_document(mention, indexed_at=datetime.now(UTC)))
    outcome = bulk_index(es, [action])
    assert outcome.written == [0], outcome
    es.indices.refresh(index=index)
    yield index, mention.id
    es.indices.delete(index=index, ignore_unavailable=True)


@pytest.fixture(scope="module")
def alerts_index(es: Elasticsearch) -> str:
    return ensure_alerts_index(es)


def _objects() -> list[dict[str, Any]]:
    return [json.loads(line) for line in NDJSON.read_text(encoding="utf-8").splitlines()]


def _views() -> dict[str, str]:
    return {s["id"]: s["attributes"]["title"] for s in _objects() if s["type"] == "index-pattern"}


def _caps(es: Elasticsearch, index: str) -> dict[str, dict[str, Any]]:
    return dict(es.field_caps(index=index, fields="*")["fields"])


def _disabled_objects(es: Elasticsearch, index: str) -> set[str]:
    """Objects kept in _source only (`enabled: false`): shown by Discover, never searched."""
    mappings = es.indices.get_mapping(index=index)
    properties = next(iter(mappings.values()))["mappings"]["properties"]
    return {name for name, spec in properties.items() if spec.get("enabled") is False}


def test_data_views_point_to_murmures_aliases(
    es: Elasticsearch, mention_index: tuple[str, str], alerts_index: str
) -> None:
    views = _views()
    assert views["murmure-mentions"] == shipped_layout().mentions.alias
    assert views["murmure-alerts"] == shipped_layout().alerts.alias
    assert alerts_index == layout().alerts.alias
    index, _ = mention_index
    assert layout().mentions.alias in es.indices.get_alias(index=index)[index]["aliases"]


def test_every_used_field_exists_in_the_real_mapping(
    es: Elasticsearch, mention_index: tuple[str, str], alerts_index: str
) -> None:
    index, doc_id = mention_index
    # The mentions data view reads the alias; check against the index Murmure just created
    # from its template, so older indices of other runs cannot hide a difference.
    targets = {"murmure-mentions": index, "murmure-alerts": alerts_index}
    caps = {view: _caps(es, target) for view, target in targets.items()}
    source = es.get(index=index, id=doc_id)["_source"]
    problems = []
    uses = field_uses(_objects())
    assert uses
    for use in uses:
        field_caps = caps[use.data_view].get(use.field)
        if use.aggregated:
            if not field_caps or not any(c.get("aggregatable") for c in field_caps.values()):
                problems.append(f"{use.where}: {use.field} is not aggregatable ({field_caps})")
        elif field_caps is None:
            kept = use.field in _disabled_objects(es, targets[use.data_view])
            if not (kept and use.field in source):
                problems.append(f"{use.where}: {use.field} is not in {use.data_view}")
    assert not problems, "\n".join(problems)


def test_evidence_reaches_discover(es: Elasticsearch, mention_index: tuple[str, str]) -> None:
    """Discover asks for every field, unmapped ones included: the evidence spans come back."""
    index, doc_id = mention_index
    response = es.search(
        index=index,
        query={"ids": {"values": [doc_id]}},
        fields=[{"field": "*", "include_unmapped": True}],
    )
    hit = response["hits"]["hits"][0]
    evidence = hit["_source"]["evidence"]
    assert evidence and evidence[0]["topic"] == "wifi" and evidence[0]["text"].lower() == "wifi"
    assert "evidence" in _disabled_objects(es, index)  # stored, never searched
