"""Erasure: a person's or a post's data deleted everywhere Murmure keeps it.

Mentions (by author pseudonym or by id) and the staff corrections of them are deleted by id; the
alerts and weekly summaries that quote them lose those quotes (a summary's stored HTML, text and
report file are re-rendered without them by the summaries stage, which the caller hands in as
`rewrite_summaries`: retention does not import rendering); listener checkpoints hold no mention
and no author. Kafka topics are not rewritten: their own time-based retention
(`bus/topics.yml`) bounds how long a message stays there.
"""

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from elasticsearch import Elasticsearch, helpers

from config.profile import Profile
from indexer.deletion import delete_ids, matching
from indexer.layout import layout
from review.labels import forget_labels

TargetKind = Literal["author", "mention"]


class SummaryRewriter(Protocol):
    """Rewrites the stored summaries (and their report files) that quote `erased` mentions;
    returns (documents updated, files rewritten). `summaries.erasure.scrub_summaries` is one."""

    def __call__(
        self, es: Elasticsearch, erased: set[str], profile: Profile
    ) -> tuple[int, list[str]]: ...


@dataclass(frozen=True)
class ErasureTarget:
    """`author`: a pseudonym (or an institution's handle in clear); `mention`: a mention id."""

    kind: TargetKind
    value: str


@dataclass
class ErasureReport:
    target: ErasureTarget
    mention_ids: list[str] = field(default_factory=list)
    documents_deleted: Counter[str] = field(default_factory=Counter)
    documents_updated: Counter[str] = field(default_factory=Counter)
    files_rewritten: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "target": {"kind": self.target.kind, "value": self.target.value},
            "mentions": len(self.mention_ids),
            "deleted": dict(self.documents_deleted),
            "updated": dict(self.documents_updated),
            "files_rewritten": self.files_rewritten,
        }


def _mention_query(target: ErasureTarget) -> dict[str, Any]:
    if target.kind == "author":
        return {"term": {"author.pseudonym": target.value}}
    return {
        "bool": {"should": [{"ids": {"values": [target.value]}}, {"term": {"id": target.value}}]}
    }


def forget(
    es: Elasticsearch,
    target: ErasureTarget,
    *,
    profile: Profile,
    rewrite_summaries: SummaryRewriter,
) -> ErasureReport:
    """Erases `target` everywhere Murmure keeps it. Listener checkpoints hold cursors, never a
    mention or an author, so they have nothing to erase."""
    report = ErasureReport(target=target)
    alias = layout().mentions.alias
    if _exists(es, alias):
        es.indices.refresh(index=alias)  # a mention indexed a moment ago is erased too
    found = list(matching(es, alias, _mention_query(target))) if _exists(es, alias) else []
    report.mention_ids = sorted({doc_id for _, doc_id in found})
    if target.kind == "mention" and target.value not in report.mention_ids:
        report.mention_ids.append(target.value)  # still scrub quotes of an already expired post
    report.documents_deleted += delete_ids(es, found)
    report.documents_deleted += forget_labels(
        es, report.mention_ids, target.value if target.kind == "author" else None
    )
    erased = set(report.mention_ids)
    report.documents_updated["alerts"] += _scrub_alerts(es, erased)
    updated, files = rewrite_summaries(es, erased, profile)
    report.documents_updated["summaries"] += updated
    report.files_rewritten += files
    return report


def _exists(es: Elasticsearch, name: str) -> bool:
    return bool(es.indices.exists(index=name))


def _scrub_alerts(es: Elasticsearch, erased: set[str]) -> int:
    """Alerts keep their counts; the quoted posts of the erased mentions are dropped."""
    alias = layout().alerts.alias
    if not erased or not _exists(es, alias):
        return 0
    updated = 0
    for hit in helpers.scan(es, index=alias, query={"query": {"match_all": {}}}):
        quoted = hit["_source"].get("mentions") or []
        kept = [post for post in quoted if post.get("id") not in erased]
        if len(kept) != len(quoted):
            es.update(index=hit["_index"], id=hit["_id"], doc={"mentions": kept})
            updated += 1
    if updated:
        es.indices.refresh(index=alias)
    return updated
