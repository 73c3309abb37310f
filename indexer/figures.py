"""Volume, topic and sentiment figures of periods of time, from Elasticsearch aggregations.

Two searches serve a weekly summary: one over the summarised period (volume by source and
branch), one over the trend with a `filters` bucket per period (topics, sentiment, complaints).
"""

from dataclasses import dataclass, field
from datetime import datetime

from elasticsearch import Elasticsearch

from indexer.queries import COMPLAINT, MISSING, NEGATIVE, RELEVANT, in_window, mentions_alias

_MANY = 200  # more buckets than any profile has topics, branches or sources
Window = tuple[datetime, datetime]


@dataclass
class PeriodFigures:
    """What one period of a trend holds; empty when the period has no mention."""

    mentions: int = 0
    relevant: int = 0
    complaints: int = 0
    sentiment: dict[str, int] = field(default_factory=dict)
    topic_count: dict[str, int] = field(default_factory=dict)
    topic_negative: dict[str, int] = field(default_factory=dict)
    topic_complaints: dict[str, int] = field(default_factory=dict)


@dataclass
class Volume:
    by_source: list[tuple[str, int]]
    by_branch: list[tuple[str, int, int]]  # branch, relevant mentions, complaints


def volume(es: Elasticsearch, window: Window) -> Volume:
    alias = mentions_alias(es)
    if alias is None:
        return Volume([], [])
    response = es.search(
        index=alias,
        size=0,
        query={"bool": {"filter": [in_window(*window)]}},
        aggs={
            "sources": {"terms": {"field": "source", "size": _MANY}},
            "relevant": {
                "filter": RELEVANT,
                "aggs": {
                    "branches": {
                        "terms": {"field": "branch", "size": _MANY, "missing": MISSING},
                        "aggs": {"complaints": {"filter": COMPLAINT}},
                    }
                },
            },
        },
    )
    aggs = response["aggregations"]
    return Volume(
        by_source=[(str(b["key"]), int(b["doc_count"])) for b in aggs["sources"]["buckets"]],
        by_branch=[
            (str(b["key"]), int(b["doc_count"]), int(b["complaints"]["doc_count"]))
            for b in aggs["relevant"]["branches"]["buckets"]
        ],
    )


def figures_by_period(es: Elasticsearch, periods: dict[str, Window]) -> dict[str, PeriodFigures]:
    """Figures per labelled period (consecutive, oldest first), in one search."""
    figures = {label: PeriodFigures() for label in periods}
    alias = mentions_alias(es)
    if alias is None or not periods:
        return figures
    windows = {label: in_window(*window) for label, window in periods.items()}
    start = min(window[0] for window in periods.values())
    end = max(window[1] for window in periods.values())
    topics_aggs = {
        "negative": {"filter": NEGATIVE},
        "complaints": {"filter": COMPLAINT},
    }
    response = es.search(
        index=alias,
        size=0,
        query={"bool": {"filter": [in_window(start, end)]}},
        aggs={
            "periods": {
                "filters": {"filters": windows},
                "aggs": {
                    "complaints": {"filter": COMPLAINT},
                    "relevant": {
                        "filter": RELEVANT,
                        "aggs": {
                            "sentiment": {"terms": {"field": "sentiment", "size": 10}},
                            "topics": {
                                "terms": {"field": "topics", "size": _MANY},
                                "aggs": topics_aggs,
                            },
                        },
                    },
                },
            }
        },
    )
    buckets = response["aggregations"]["periods"]["buckets"]
    for label in periods:
        bucket = buckets[label]
        relevant = bucket["relevant"]
        topics = relevant["topics"]["buckets"]
        figures[label] = PeriodFigures(
            mentions=int(bucket["doc_count"]),
            relevant=int(relevant["doc_count"]),
            complaints=int(bucket["complaints"]["doc_count"]),
            sentiment={
                str(b["key"]): int(b["doc_count"]) for b in relevant["sentiment"]["buckets"]
            },
            topic_count={str(b["key"]): int(b["doc_count"]) for b in topics},
            topic_negative={str(b["key"]): int(b["negative"]["doc_count"]) for b in topics},
            topic_complaints={str(b["key"]): int(b["complaints"]["doc_count"]) for b in topics},
        )
    return figures


def pipeline_versions(es: Elasticsearch, window: Window) -> list[tuple[str, str, str, int]]:
    """(pipeline_version, first and last post date, mentions) of the window's mentions."""
    alias = mentions_alias(es)
    if alias is None:
        return []
    response = es.search(
        index=alias,
        size=0,
        query={"bool": {"filter": [in_window(*window)]}},
        aggs={
            "versions": {
                "terms": {"field": "pipeline_version", "size": _MANY},
                "aggs": {
                    "first": {"min": {"field": "created_at"}},
                    "last": {"max": {"field": "created_at"}},
                },
            }
        },
    )
    return [
        (
            str(b["key"]),
            str(b["first"]["value_as_string"]),
            str(b["last"]["value_as_string"]),
            int(b["doc_count"]),
        )
        for b in response["aggregations"]["versions"]["buckets"]
    ]
