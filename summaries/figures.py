"""Volume, topic and sentiment figures of a week and the weeks before, from ES aggregations.

Two searches: one over the summarised week (volume by source and branch), one over the trend
weeks with a `filters` bucket per ISO week (topics, sentiment, complaints per week).
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from elasticsearch import Elasticsearch

from indexer.layout import layout
from summaries.weeks import Week

NO_BRANCH = "(none)"
_MANY = 200  # more buckets than any profile has topics, branches or sources


def in_window(start: datetime, end: datetime) -> dict[str, Any]:
    return {"range": {"created_at": {"gte": start.isoformat(), "lt": end.isoformat()}}}


RELEVANT: dict[str, Any] = {"term": {"relevant": True}}
COMPLAINT: dict[str, Any] = {"term": {"complaint": True}}
NEGATIVE: dict[str, Any] = {"term": {"sentiment": "negative"}}


@dataclass
class WeekFigures:
    """What one week of the trend holds; empty when the week has no mention."""

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


def mentions_alias(es: Elasticsearch) -> str | None:
    alias = layout().mentions.alias
    return alias if es.indices.exists_alias(name=alias) else None


def week_volume(es: Elasticsearch, week: Week, timezone: str) -> Volume:
    alias = mentions_alias(es)
    if alias is None:
        return Volume([], [])
    response = es.search(
        index=alias,
        size=0,
        query={"bool": {"filter": [in_window(*week.window(timezone))]}},
        aggs={
            "sources": {"terms": {"field": "source", "size": _MANY}},
            "relevant": {
                "filter": RELEVANT,
                "aggs": {
                    "branches": {
                        "terms": {"field": "branch", "size": _MANY, "missing": NO_BRANCH},
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


def weekly_figures(es: Elasticsearch, weeks: list[Week], timezone: str) -> dict[Week, WeekFigures]:
    """Figures per week for `weeks` (consecutive, oldest first), in one search."""
    figures = {week: WeekFigures() for week in weeks}
    alias = mentions_alias(es)
    if alias is None or not weeks:
        return figures
    windows = {str(week): in_window(*week.window(timezone)) for week in weeks}
    start, _ = weeks[0].window(timezone)
    _, end = weeks[-1].window(timezone)
    topics_aggs = {
        "negative": {"filter": NEGATIVE},
        "complaints": {"filter": COMPLAINT},
    }
    response = es.search(
        index=alias,
        size=0,
        query={"bool": {"filter": [in_window(start, end)]}},
        aggs={
            "weeks": {
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
    buckets = response["aggregations"]["weeks"]["buckets"]
    for week in weeks:
        bucket = buckets[str(week)]
        relevant = bucket["relevant"]
        topics = relevant["topics"]["buckets"]
        figures[week] = WeekFigures(
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
