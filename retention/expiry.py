"""Expiry: mentions, alerts and summaries older than the profile's `retention_days` are deleted.

Mentions live in monthly indices named by the post's UTC month: a month entirely before the
cut-off is deleted as a whole index; in the month the cut-off falls in, the expired posts are
found by `created_at` and deleted by id. Alerts go by `raised_at`, summaries by `week_start`
(their report file too, since it quotes posts).
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from elasticsearch import Elasticsearch, helpers

from indexer.deletion import delete_matching
from indexer.layout import layout


@dataclass
class ExpiryReport:
    cutoff: datetime
    indices_deleted: list[str] = field(default_factory=list)
    documents_deleted: Counter[str] = field(default_factory=Counter)
    files_deleted: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # what could not be done, and why


def month_bounds(index: str) -> tuple[datetime, datetime | None] | None:
    """The UTC month a monthly mention index holds (no end for December 9999, which no
    date follows), or None for a name that is not one."""
    month = layout().mentions.month_of(index)
    if month is None:
        return None
    year, number = month
    start = datetime(year, number, 1, tzinfo=UTC)
    try:
        return start, datetime(year + number // 12, number % 12 + 1, 1, tzinfo=UTC)
    except ValueError:
        return start, None


def _before(field_name: str, cutoff: datetime) -> dict[str, object]:
    return {"range": {field_name: {"lt": cutoff.isoformat()}}}


def expire(es: Elasticsearch, *, retention_days: int, now: datetime) -> ExpiryReport:
    """Never raises: each index and store is tried on its own, and what fails is reported, so
    one odd index neither hides the others nor holds back the erasures run after it."""
    report = ExpiryReport(cutoff=now.astimezone(UTC) - timedelta(days=retention_days))
    try:
        indices = sorted(es.indices.get(index=layout().mentions.pattern, expand_wildcards="open"))
    except Exception as error:
        report.problems.append(f"mention indices not listed: {_why(error)}")
        indices = []
    for index in indices:
        try:
            _expire_mentions(es, index, report)
        except Exception as error:
            report.problems.append(f"{index} not deleted: {_why(error)}")
    for names, field_name in ((layout().alerts, "raised_at"), (layout().summaries, "week_start")):
        try:
            if es.indices.exists(index=names.alias):
                if field_name == "week_start":
                    report.files_deleted += _expired_files(es, names.alias, report.cutoff)
                report.documents_deleted += delete_matching(
                    es, names.alias, _before(field_name, report.cutoff)
                )
        except Exception as error:
            report.problems.append(f"expired {names.alias} not deleted: {_why(error)}")
    return report


def _expire_mentions(es: Elasticsearch, index: str, report: ExpiryReport) -> None:
    bounds = month_bounds(index)
    if bounds is None:
        return  # not a monthly index of Murmure's
    start, end = bounds
    if end is not None and end <= report.cutoff:
        es.indices.delete(index=index)
        report.indices_deleted.append(index)
    elif start < report.cutoff:
        report.documents_deleted += delete_matching(es, index, _before("created_at", report.cutoff))


def _why(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"


def _expired_files(es: Elasticsearch, alias: str, cutoff: datetime) -> list[str]:
    from summaries.archive import report_files

    deleted = []
    query = {"query": _before("week_start", cutoff)}
    for hit in helpers.scan(es, index=alias, query=query, _source=["path", "files", "language"]):
        for path, _language in report_files(hit["_source"]):
            if path.is_file():
                path.unlink()
                path.with_suffix(".txt").unlink(missing_ok=True)
                deleted.append(str(path))
    return deleted
