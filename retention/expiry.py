"""Expiry: mentions, alerts and summaries older than the profile's `retention_days` are deleted.

Mentions live in monthly indices named by the post's UTC month: a month entirely before the
cut-off is deleted as a whole index; in the month the cut-off falls in, the expired posts are
found by `created_at` and deleted by id. Alerts go by `raised_at`, summaries by `week_start`
(their report file too, since it quotes posts).
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from elasticsearch import Elasticsearch, helpers

from indexer.layout import layout
from retention.deletion import delete_matching


@dataclass
class ExpiryReport:
    cutoff: datetime
    indices_deleted: list[str] = field(default_factory=list)
    documents_deleted: Counter[str] = field(default_factory=Counter)
    files_deleted: list[str] = field(default_factory=list)


def month_bounds(index: str) -> tuple[datetime, datetime] | None:
    """The UTC month a monthly mention index holds, or None for a name that is not one."""
    mentions = layout().mentions
    suffix = index.removeprefix(mentions.index_prefix)
    try:
        start = datetime.strptime(suffix, mentions.month_format).replace(tzinfo=UTC)
    except ValueError:
        return None
    end = (start + timedelta(days=32)).replace(day=1)
    return start, end


def _before(field_name: str, cutoff: datetime) -> dict[str, object]:
    return {"range": {field_name: {"lt": cutoff.isoformat()}}}


def expire(es: Elasticsearch, *, retention_days: int, now: datetime) -> ExpiryReport:
    report = ExpiryReport(cutoff=now.astimezone(UTC) - timedelta(days=retention_days))
    mentions = layout().mentions
    indices = sorted(es.indices.get(index=mentions.pattern, expand_wildcards="open").keys())
    for index in indices:
        bounds = month_bounds(index)
        if bounds is None:
            continue
        start, end = bounds
        if end <= report.cutoff:
            es.indices.delete(index=index)
            report.indices_deleted.append(index)
        elif start < report.cutoff:
            report.documents_deleted += delete_matching(
                es, index, _before("created_at", report.cutoff)
            )
    for names, field_name in ((layout().alerts, "raised_at"), (layout().summaries, "week_start")):
        if es.indices.exists(index=names.alias):
            if field_name == "week_start":
                report.files_deleted += _expired_files(es, names.alias, report.cutoff)
            report.documents_deleted += delete_matching(
                es, names.alias, _before(field_name, report.cutoff)
            )
    return report


def _expired_files(es: Elasticsearch, alias: str, cutoff: datetime) -> list[str]:
    deleted = []
    query = {"query": _before("week_start", cutoff)}
    for hit in helpers.scan(es, index=alias, query=query, _source=["path"]):
        path = hit["_source"].get("path")
        if path and Path(path).is_file():
            Path(path).unlink()
            Path(path).with_suffix(".txt").unlink(missing_ok=True)
            deleted.append(str(path))
    return deleted
