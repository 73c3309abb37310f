"""Erasure: a person's or a post's data deleted everywhere Murmure keeps it.

Mentions (by author pseudonym or by id) are deleted by id; the alerts and weekly summaries that
quote them lose those quotes (a summary's stored HTML, text and report file are re-rendered
without them); listener state is asked to forget them too. Kafka topics are not rewritten: their
own time-based retention (`bus/topics.yml`) bounds how long a message stays there.
"""

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

from elasticsearch import Elasticsearch, helpers

from config.profile import Profile
from indexer.layout import layout
from retention.deletion import delete_ids, matching

TargetKind = Literal["author", "mention"]


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
    listener_state: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "target": {"kind": self.target.kind, "value": self.target.value},
            "mentions": len(self.mention_ids),
            "deleted": dict(self.documents_deleted),
            "updated": dict(self.documents_updated),
            "files_rewritten": self.files_rewritten,
            "listener_state": self.listener_state,
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
    handle: tuple[str, str] | None = None,
) -> ErasureReport:
    """Erases `target`; `handle` (source, handle) when the request named one, for listeners."""
    report = ErasureReport(target=target)
    alias = layout().mentions.alias
    if _exists(es, alias):
        es.indices.refresh(index=alias)  # a mention indexed a moment ago is erased too
    found = list(matching(es, alias, _mention_query(target))) if _exists(es, alias) else []
    report.mention_ids = sorted({doc_id for _, doc_id in found})
    if target.kind == "mention" and target.value not in report.mention_ids:
        report.mention_ids.append(target.value)  # still scrub quotes of an already expired post
    report.documents_deleted += delete_ids(es, found)
    erased = set(report.mention_ids)
    report.documents_updated["alerts"] += _scrub_alerts(es, erased)
    updated, files = _scrub_summaries(es, erased, profile)
    report.documents_updated["summaries"] += updated
    report.files_rewritten += files
    report.listener_state = _forget_in_listeners(report.mention_ids, handle)
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


def _scrub_summaries(
    es: Elasticsearch, erased: set[str], profile: Profile
) -> tuple[int, list[str]]:
    from schemas.summary import WeeklySummary
    from summaries.archive import report_files, save_files
    from summaries.render import Report, render_report

    alias = layout().summaries.alias
    if not erased or not _exists(es, alias):
        return 0, []
    updated, files = 0, []
    for hit in helpers.scan(es, index=alias, query={"query": {"match_all": {}}}):
        stored = hit["_source"].get("summary")
        if not stored:
            continue
        summary = WeeklySummary.model_validate(stored)
        topics = [
            topic.model_copy(
                update={"examples": [post for post in topic.examples if post.id not in erased]}
            )
            for topic in summary.topics
        ]
        own = [post for post in summary.own_posts if post.id not in erased]
        waiting = [post for post in summary.waiting if post.id not in erased]
        if topics == summary.topics and own == summary.own_posts and waiting == summary.waiting:
            continue
        cleaned = summary.model_copy(
            update={"topics": topics, "own_posts": own, "waiting": waiting}
        )
        report = render_report(cleaned, profile)
        es.update(
            index=hit["_index"],
            id=hit["_id"],
            doc={
                "summary": cleaned.model_dump(mode="json"),
                "html": report.html_file,
                "text": report.text,
            },
        )
        updated += 1
        rendered: dict[str, Report] = {cleaned.language: report}
        for path, language in report_files(hit["_source"]):  # every copy ever written
            if path.is_file():
                if language not in rendered:
                    in_language = cleaned.model_copy(update={"language": language})
                    rendered[language] = render_report(in_language, profile)
                save_files(rendered[language], path)
                files.append(str(path))
    if updated:
        es.indices.refresh(index=alias)
    return updated, files


def _forget_in_listeners(mention_ids: list[str], handle: tuple[str, str] | None) -> int:
    """Listener checkpoints hold cursors only today; their hooks say so by erasing nothing."""
    from listeners.checkpoints import forget_author, forget_mentions

    erased = forget_mentions(mention_ids)
    if handle is not None:
        erased += forget_author(*handle)
    return erased
