"""Searches other stages need (demo, summaries, alerts), kept beside the mapping they use."""

from collections.abc import Sequence
from typing import Any

from elasticsearch import Elasticsearch

from indexer.layout import layout


def count(es: Elasticsearch, query: dict[str, Any] | None = None) -> int:
    mentions = layout().mentions.alias
    if not es.indices.exists_alias(name=mentions):
        return 0
    return int(es.count(index=mentions, query=query or {"match_all": {}})["count"])


def count_by(
    es: Elasticsearch, field: str, *, query: dict[str, Any] | None = None, size: int = 50
) -> list[tuple[str, int]]:
    """Counts per value of a keyword field; documents without the field count as `(none)`."""
    mentions = layout().mentions.alias
    if not es.indices.exists_alias(name=mentions):
        return []
    response = es.search(
        index=mentions,
        size=0,
        query=query or {"match_all": {}},
        aggs={"by": {"terms": {"field": field, "size": size, "missing": "(none)"}}},
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
