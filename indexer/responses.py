"""How the library answers: share of questions and complaints answered and the median delay, and
the posts still waiting, from the answer fields the `index` worker writes (`indexer.answers`)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from elasticsearch import Elasticsearch

from indexer.queries import in_window, mentions_alias

Kind = Literal["question", "complaint"]
KINDS: tuple[Kind, ...] = ("question", "complaint")
PATRONS: dict[str, Any] = {"bool": {"must_not": [{"term": {"author.institution": True}}]}}
UNANSWERED: dict[str, Any] = {"bool": {"must_not": [{"exists": {"field": "answered_at"}}]}}


@dataclass(frozen=True)
class Responsiveness:
    kind: Kind
    posts: int
    answered: int
    median_delay_s: float | None  # None when none was answered

    @property
    def share_answered(self) -> float | None:
        return self.answered / self.posts if self.posts else None


@dataclass(frozen=True)
class WaitingPost:
    id: str
    source: str
    url: str | None
    text: str
    created_at: datetime
    question: bool
    complaint: bool
    branch: str | None


def responsiveness(
    es: Elasticsearch, start: datetime, end: datetime, scope: dict[str, Any] | None = None
) -> list[Responsiveness]:
    """Questions and complaints by patrons posted in [start, end) (and in `scope`, a query):
    answered, and how fast."""
    alias = mentions_alias(es)
    if alias is None:
        return [Responsiveness(kind, 0, 0, None) for kind in KINDS]
    answered = {"exists": {"field": "answered_at"}}
    delay = {"percentiles": {"field": "answer_delay_s", "percents": [50]}}
    response = es.search(
        index=alias,
        size=0,
        query={"bool": {"filter": [in_window(start, end), PATRONS, scope or {"match_all": {}}]}},
        aggs={
            kind: {
                "filter": {"term": {kind: True}},
                "aggs": {"answered": {"filter": answered, "aggs": {"delay": delay}}},
            }
            for kind in KINDS
        },
    )
    figures = []
    for kind in KINDS:
        bucket = response["aggregations"][kind]
        done = bucket["answered"]
        median = done["delay"]["values"].get("50.0") if done["doc_count"] else None
        figures.append(
            Responsiveness(kind, int(bucket["doc_count"]), int(done["doc_count"]), median)
        )
    return figures


def waiting(
    es: Elasticsearch,
    *,
    posted_before: datetime,
    posted_since: datetime,
    size: int = 20,
    scope: dict[str, Any] | None = None,
) -> tuple[int, list[WaitingPost]]:
    """Patrons' questions and complaints posted in [since, before) without an answer, oldest
    first: how many, and the first `size`."""
    alias = mentions_alias(es)
    if alias is None:
        return 0, []
    kinds = {"bool": {"should": [{"term": {k: True}} for k in KINDS], "minimum_should_match": 1}}
    response = es.search(
        index=alias,
        size=size,
        track_total_hits=True,
        query={
            "bool": {
                "filter": [
                    in_window(posted_since, posted_before),
                    PATRONS,
                    UNANSWERED,
                    kinds,
                    scope or {"match_all": {}},
                ]
            }
        },
        sort=[{"created_at": "asc"}],
        source_includes=[
            "id",
            "source",
            "url",
            "text",
            "created_at",
            "question",
            "complaint",
            "branch",
        ],
    )
    posts = [
        WaitingPost(
            id=str(hit["_id"]),
            source=str(doc.get("source", "")),
            url=doc.get("url"),
            text=str(doc.get("text", "")),
            created_at=datetime.fromisoformat(str(doc["created_at"]).replace("Z", "+00:00")),
            question=bool(doc.get("question")),
            complaint=bool(doc.get("complaint")),
            branch=doc.get("branch"),
        )
        for hit in response["hits"]["hits"]
        for doc in [hit["_source"]]
    ]
    return int(response["hits"]["total"]["value"]), posts
