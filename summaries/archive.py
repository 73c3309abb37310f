"""Keeps each week's report: files, and a document in `murmure-summaries` that also records
whether the e-mail went out, so a rerun of the same week does not send it twice.

Document id: `{library_id}:{week}`. Writes are partial updates (`doc_as_upsert`), so archiving
after sending keeps `sent_at`, and sending after archiving keeps the report. The document lists
every file the week's report was written to (`files`, with their language): reports quote
posts, so erasure rewrites each copy and expiry deletes each.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from elasticsearch import ApiError, Elasticsearch, NotFoundError

from config.settings import get_settings
from indexer.layout import layout
from schemas.summary import WeeklySummary

if TYPE_CHECKING:
    from summaries.render import Report  # not imported at run time: expiry needs no rendering

KEYWORD = {"type": "keyword"}
STORED = {"type": "text", "index": False}

MAPPINGS: dict[str, Any] = {
    "dynamic": False,
    "properties": {
        "library_id": KEYWORD,
        "week": KEYWORD,
        "language": KEYWORD,
        "week_start": {"type": "date"},
        "generated_at": {"type": "date"},
        "sent_at": {"type": "date"},
        "recipients": KEYWORD,
        "mentions": {"type": "integer"},
        "relevant": {"type": "integer"},
        "complaints": {"type": "integer"},
        "top_deterioration": KEYWORD,
        "subject": STORED,
        "path": {"type": "keyword", "index": False},  # before `files`: the last copy only
        "files": {"type": "object", "enabled": False},
        "summary": {"type": "object", "enabled": False},
        "html": STORED,
        "text": STORED,
    },
}


def summary_id(library_id: str, week: str) -> str:
    return f"{library_id}:{week}"


def ensure_summaries_index(es: Elasticsearch) -> str:
    """Creates the index and its alias once; returns the alias to write and read through."""
    names = layout().summaries
    if not es.indices.exists(index=names.alias):
        try:
            es.indices.create(
                index=names.index,
                mappings=MAPPINGS,
                aliases={names.alias: {}},
                settings={"number_of_replicas": get_settings().es_replicas},
            )
        except ApiError as error:
            if "resource_already_exists" not in str(error):
                raise
    return names.alias


def _write(es: Elasticsearch, doc_id: str, fields: dict[str, Any]) -> None:
    alias = ensure_summaries_index(es)
    es.update(index=alias, id=doc_id, doc=fields, doc_as_upsert=True, refresh="wait_for")


def sent_at(es: Elasticsearch, library_id: str, week: str) -> str | None:
    alias = ensure_summaries_index(es)
    try:
        document = es.get(index=alias, id=summary_id(library_id, week), source=["sent_at"])
    except NotFoundError:
        return None
    value = (document.get("_source") or {}).get("sent_at")
    return str(value) if value else None


def mark_sent(
    es: Elasticsearch, summary: WeeklySummary, *, when: datetime, recipients: list[str]
) -> None:
    _write(
        es,
        summary_id(summary.library_id, summary.week),
        {
            "library_id": summary.library_id,
            "week": summary.week,
            "sent_at": when.isoformat(),
            "recipients": recipients,
        },
    )


def report_path(directory: Path, summary: WeeklySummary) -> Path:
    return directory / summary.library_id / f"{summary.week}.{summary.language}.html"


def save_files(report: Report, path: Path) -> Path:
    """The HTML (charts inside) at `path`, the plain text beside it as `.txt`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(report.html_file, encoding="utf-8")
    path.with_suffix(".txt").write_text(report.text, encoding="utf-8")
    return path


def report_files(stored: Mapping[str, Any]) -> list[tuple[Path, str]]:
    """Every file (and its language) a summary document says its report was written to."""
    language = str(stored.get("language") or "fr")
    files = [
        (Path(f["path"]), str(f.get("language") or language)) for f in stored.get("files") or []
    ]
    if stored.get("path"):
        files.append((Path(stored["path"]), language))
    return list(dict.fromkeys(files))


def index_summary(
    es: Elasticsearch, summary: WeeklySummary, report: Report, path: Path | None
) -> str:
    doc_id = summary_id(summary.library_id, summary.week)
    worst = next((topic.topic for topic in summary.topics if topic.deterioration > 0), None)
    try:
        stored = es.get(index=ensure_summaries_index(es), id=doc_id)["_source"]
    except NotFoundError:
        stored = {}
    files = report_files(stored) + ([(path, summary.language)] if path else [])
    _write(
        es,
        doc_id,
        {
            "library_id": summary.library_id,
            "week": summary.week,
            "language": summary.language,
            "week_start": summary.week_start.isoformat(),
            "generated_at": summary.generated_at.isoformat(),
            "mentions": summary.mentions,
            "relevant": summary.relevant,
            "complaints": summary.complaints,
            "top_deterioration": worst,
            "subject": report.subject,
            "files": [
                {"path": str(name), "language": language} for name, language in dict.fromkeys(files)
            ],
            "summary": json.loads(summary.model_dump_json()),
            "html": report.html_file,
            "text": report.text,
        },
    )
    return doc_id
