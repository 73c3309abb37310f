"""Searches of mentions other stages need (demo, summaries, alerts), beside the mapping they use."""

import zlib
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from elasticsearch import Elasticsearch

from indexer.layout import layout

MISSING = "(none)"  # the bucket of documents without the field (e.g. no branch named)
RELEVANT: dict[str, Any] = {"term": {"relevant": True}}
COMPLAINT: dict[str, Any] = {"term": {"complaint": True}}
NEGATIVE: dict[str, Any] = {"term": {"sentiment": "negative"}}


def in_window(start: datetime, end: datetime) -> dict[str, Any]:
    """Mentions posted in [start, end)."""
    return {"range": {"created_at": {"gte": start.isoformat(), "lt": end.isoformat()}}}


def mentions_alias(es: Elasticsearch) -> str | None:
    """The read alias, or None before the first mention was indexed."""
    alias = layout().mentions.alias
    return alias if es.indices.exists_alias(name=alias) else None


def count(es: Elasticsearch, query: dict[str, Any] | None = None) -> int:
    mentions = mentions_alias(es)
    if mentions is None:
        return 0
    return int(es.count(index=mentions, query=query or {"match_all": {}})["count"])


def count_by(
    es: Elasticsearch, field: str, *, query: dict[str, Any] | None = None, size: int = 50
) -> list[tuple[str, int]]:
    """Counts per value of a keyword field; documents without the field count as `(none)`."""
    mentions = mentions_alias(es)
    if mentions is None:
        return []
    response = es.search(
        index=mentions,
        size=0,
        query=query or {"match_all": {}},
        aggs={"by": {"terms": {"field": field, "size": size, "missing": MISSING}}},
    )
    return [
        (str(bucket["key"]), int(bucket["doc_count"]))
        for bucket in response["aggregations"]["by"]["buckets"]
    ]


def ids_indexed_since(ids: Sequence[str], since_iso: str) -> dict[str, Any]:
    return {
        "bool": {
            "filter": [
                {"ids": {"values": list(ids)}},
                {"range": {"indexed_at": {"gte": since_iso}}},
            ]
        }
    }


def mentions_between(
    es: Elasticsearch,
    start: datetime,
    end: datetime,
    *,
    fields: Sequence[str],
    page: int = 500,
    query: dict[str, Any] | None = None,
) -> Iterator[dict[str, Any]]:
    """Mentions created in [start, end) (and matching `query`), oldest first, paged with
    search_after: memory holds one page, whatever the period."""
    alias = mentions_alias(es)
    if alias is None:
        return
    after: list[Any] | None = None
    while True:
        response = es.search(
            index=alias,
            size=page,
            query={"bool": {"filter": [in_window(start, end), *([query] if query else [])]}},
            sort=[{"created_at": "asc"}, {"id": "asc"}],
            source_includes=list(fields),
            search_after=after,
            track_total_hits=False,
        )
        hits = response["hits"]["hits"]
        for hit in hits:
            yield hit["_source"]
        if len(hits) < page:
            return
        after = hits[-1]["sort"]


def complaint_sample(
    es: Elasticsearch, topic: str, start: datetime, end: datetime, *, size: int
) -> list[dict[str, Any]]:
    """Up to `size` of a topic's relevant complaints posted in [start, end), drawn uniformly at
    random but the same ones on every call (seeded by topic and window, hashed with the id)."""
    alias = mentions_alias(es)
    if alias is None:
        return []
    chosen = {
        "bool": {
            "filter": [in_window(start, end), RELEVANT, COMPLAINT, {"term": {"topics": topic}}]
        }
    }
    seed = zlib.crc32(f"{topic}/{start.isoformat()}/{end.isoformat()}".encode())
    response = es.search(
        index=alias,
        size=size,
        query={
            "function_score": {
                "query": chosen,
                "random_score": {"seed": seed, "field": "id"},
                "boost_mode": "replace",
            }
        },
        source_includes=["id", "text", "lemmas", "created_at", "url"],
        sort=[{"_score": "desc"}, {"id": "asc"}],
        track_total_hits=False,
    )
    return [hit["_source"] for hit in response["hits"]["hits"]]


def count_between(
    es: Elasticsearch, start: datetime, end: datetime, query: dict[str, Any] | None = None
) -> int:
    return count(es, {"bool": {"filter": [in_window(start, end), *([query] if query else [])]}})


def first_created(es: Elasticsearch, start: datetime, end: datetime) -> datetime | None:
    """When the first mention of [start, end) was posted."""
    alias = mentions_alias(es)
    if alias is None:
        return None
    hits = es.search(
        index=alias,
        size=1,
        query=in_window(start, end),
        sort=[{"created_at": "asc"}],
        source_includes=["created_at"],
        track_total_hits=False,
    )["hits"]["hits"]
    return datetime.fromisoformat(hits[0]["_source"]["created_at"]) if hits else None


def term_posts(
    es: Elasticsearch, start: datetime, end: datetime, *, min_posts: int, page: int = 5000
) -> Iterator[tuple[str, int]]:
    """Each lemma word held by at least `min_posts` relevant mentions posted in [start, end),
    with how many hold it. A composite aggregation pages through every word, so the counts are
    exact whatever the number of words or of monthly indices, and memory stays one page."""
    alias = mentions_alias(es)
    if alias is None:
        return
    after: dict[str, Any] | None = None
    while True:
        composite: dict[str, Any] = {
            "size": page,
            "sources": [{"term": {"terms": {"field": "lemma_terms"}}}],
        }
        if after is not None:
            composite["after"] = after
        response = es.search(
            index=alias,
            size=0,
            query={"bool": {"filter": [in_window(start, end), RELEVANT]}},
            aggs={"words": {"composite": composite}},
        )
        words = response["aggregations"]["words"]
        for bucket in words["buckets"]:
            if bucket["doc_count"] >= min_posts:
                yield str(bucket["key"]["term"]), int(bucket["doc_count"])
        after = words.get("after_key")
        if after is None or len(words["buckets"]) < page:
            return


def posts_holding(
    es: Elasticsearch, start: datetime, end: datetime, terms: Sequence[str]
) -> dict[str, int]:
    """How many relevant mentions posted in [start, end) hold each of `terms` (absent: none)."""
    alias = mentions_alias(es)
    if alias is None or not terms:
        return {}
    response = es.search(
        index=alias,
        size=0,
        query={"bool": {"filter": [in_window(start, end), RELEVANT]}},
        aggs={
            "held": {
                "terms": {
                    "field": "lemma_terms",
                    "include": list(terms),
                    "size": len(terms),
                    "shard_size": len(terms),
                }
            }
        },
    )
    return {
        str(bucket["key"]): int(bucket["doc_count"])
        for bucket in response["aggregations"]["held"]["buckets"]
    }


def own_posts(
    es: Elasticsearch, start: datetime, end: datetime, *, size: int
) -> list[dict[str, Any]]:
    """The library's `size` most engaging posts of the window (authors flagged as the
    institution), earliest first among equals: ranked inside Elasticsearch, so the cost does not
    grow with how much the library posts."""
    alias = mentions_alias(es)
    if alias is None or size == 0:
        return []
    response = es.search(
        index=alias,
        size=size,
        query={"bool": {"filter": [in_window(start, end), {"term": {"author.institution": True}}]}},
        sort=[
            # Documents indexed before `total` existed count as unengaged.
            {"engagement.total": {"order": "desc", "missing": 0}},
            {"created_at": "asc"},
            {"id": "asc"},
        ],
        source_includes=["id", "source", "url", "text", "created_at", "engagement"],
        track_total_hits=False,
    )
    return [hit["_source"] for hit in response["hits"]["hits"]]
