"""Searches of mentions other stages need (demo, summaries, alerts), beside the mapping they use."""

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from elasticsearch import Elasticsearch, helpers

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
    es: Elasticsearch, start: datetime, end: datetime, *, fields: Sequence[str], page: int = 500
) -> Iterator[dict[str, Any]]:
    """Mentions created in [start, end), oldest first, paged with search_after."""
    alias = mentions_alias(es)
    if alias is None:
        return
    after: list[Any] | None = None
    while True:
        response = es.search(
            index=alias,
            size=page,
            query=in_window(start, end),
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


def complaint_posts(
    es: Elasticsearch, topic: str, start: datetime, end: datetime, *, limit: int
) -> list[dict[str, Any]]:
    """A topic's relevant complaints posted in [start, end), oldest first."""
    alias = mentions_alias(es)
    if alias is None:
        return []
    response = es.search(
        index=alias,
        size=limit,
        query={
            "bool": {
                "filter": [in_window(start, end), RELEVANT, COMPLAINT, {"term": {"topics": topic}}]
            }
        },
        source_includes=["id", "text", "lemmas", "created_at", "url"],
        sort=[{"created_at": "asc"}, {"id": "asc"}],
    )
    return [hit["_source"] for hit in response["hits"]["hits"]]


def relevant_lemmas(es: Elasticsearch, start: datetime, end: datetime) -> Iterator[str]:
    """Every relevant mention's lemmas in the window (scrolls: a week is a few hundred posts)."""
    alias = mentions_alias(es)
    if alias is None:
        return
    query = {"query": {"bool": {"filter": [in_window(start, end), RELEVANT]}}}
    for hit in helpers.scan(es, query=query, index=alias, _source=["lemmas"], size=1000):
        yield str(hit["_source"].get("lemmas", ""))


def own_posts(es: Elasticsearch, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """The library's own posts of the window (authors flagged as the institution)."""
    alias = mentions_alias(es)
    if alias is None:
        return []
    query = {
        "query": {
            "bool": {"filter": [in_window(start, end), {"term": {"author.institution": True}}]}
        }
    }
    fields = ["id", "source", "url", "text", "created_at", "engagement"]
    return [hit["_source"] for hit in helpers.scan(es, query=query, index=alias, _source=fields)]
