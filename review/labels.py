"""The corrections index (`murmure-labels`): one document per reviewed mention, keyed by its id."""

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from elasticsearch import Elasticsearch, helpers

from indexer.deletion import delete_matching
from indexer.layout import layout
from review.settings import review_settings
from schemas.label import Correction

KEYWORD = {"type": "keyword"}
MAPPINGS: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "mention_id": KEYWORD,
        "text": {"type": "text"},
        "url": {"type": "keyword", "index": False},
        "created_at": {"type": "date"},
        "pseudonym": KEYWORD,
        "relevant": {"type": "boolean"},
        "topics": KEYWORD,
        "sentiment": KEYWORD,
        "complaint": {"type": "boolean"},
        "question": {"type": "boolean"},
        "comment": {"type": "text"},
        "shown": {"type": "object", "enabled": False},
        "source_file": KEYWORD,
        "source_sha256": KEYWORD,
        "imported_at": {"type": "date"},
    },
}

# What makes two corrections the same: importing a file again must not rewrite them.
SAME = ("relevant", "topics", "sentiment", "complaint", "question", "comment", "source_sha256")


def ensure_labels_index(es: Elasticsearch) -> str:
    index = layout().labels
    if not es.indices.exists(index=index):
        es.indices.create(
            index=index,
            mappings=MAPPINGS,
            settings={"number_of_shards": 1, "number_of_replicas": 0},
        )
    return index


@dataclass(frozen=True)
class Stored:
    written: int
    unchanged: int


def store(es: Elasticsearch, corrections: Sequence[Correction]) -> Stored:
    """Writes the corrections that differ from what is stored; an identical one keeps its date."""
    index = ensure_labels_index(es)
    if not corrections:
        return Stored(0, 0)
    found = es.mget(index=index, ids=[c.mention_id for c in corrections])["docs"]
    existing = {doc["_id"]: doc["_source"] for doc in found if doc.get("found")}
    changed = [c for c in corrections if not _same(existing.get(c.mention_id), c)]
    actions = (
        {"_index": index, "_id": c.mention_id, "_source": c.model_dump(mode="json")}
        for c in changed
    )
    helpers.bulk(es, actions, refresh="wait_for")
    return Stored(written=len(changed), unchanged=len(corrections) - len(changed))


def _same(stored: dict[str, Any] | None, correction: Correction) -> bool:
    if stored is None:
        return False
    new = correction.model_dump(mode="json")
    return all(stored.get(key) == new[key] for key in SAME)


def corrections(es: Elasticsearch) -> Iterator[Correction]:
    """Every stored correction, in mention id order (training is reproducible)."""
    index = layout().labels
    if not es.indices.exists(index=index):
        return
    hits = helpers.scan(
        es, index=index, query={"query": {"match_all": {}}}, size=review_settings().scan_size
    )
    found = sorted(hits, key=lambda hit: str(hit["_id"]))
    for hit in found:
        yield Correction.model_validate(hit["_source"], strict=False)


def forget_labels(
    es: Elasticsearch, mention_ids: Iterable[str], pseudonym: str | None = None
) -> Counter[str]:
    """Erasure: the corrections of these mentions, and of every mention of this author."""
    index = layout().labels
    should: list[dict[str, Any]] = [{"terms": {"mention_id": sorted(set(mention_ids))}}]
    if pseudonym:
        should.append({"term": {"pseudonym": pseudonym}})
    if not es.indices.exists(index=index):
        return Counter()
    return delete_matching(es, index, {"bool": {"should": should}})
