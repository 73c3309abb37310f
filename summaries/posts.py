"""The posts a summary quotes: complaint posts of a topic, the library's own posts, lemmas."""

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from elasticsearch import Elasticsearch, helpers

from summaries.figures import COMPLAINT, RELEVANT, in_window, mentions_alias
from summaries.typical import Post


def complaint_posts(
    es: Elasticsearch, topic: str, start: datetime, end: datetime, *, limit: int
) -> list[Post]:
    alias = mentions_alias(es)
    if alias is None:
        return []
    response = es.search(
        index=alias,
        size=limit,
        query={
            "bool": {
                "filter": [
                    in_window(start, end),
                    RELEVANT,
                    COMPLAINT,
                    {"term": {"topics": topic}},
                ]
            }
        },
        source_includes=["id", "text", "lemmas", "created_at", "url"],
        sort=[{"created_at": "asc"}, {"id": "asc"}],
    )
    return [
        Post(
            id=hit["_source"]["id"],
            text=hit["_source"].get("text", ""),
            lemmas=hit["_source"].get("lemmas", ""),
            created_at=datetime.fromisoformat(hit["_source"]["created_at"]),
            url=hit["_source"].get("url"),
        )
        for hit in response["hits"]["hits"]
    ]


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
