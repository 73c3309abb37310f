"""`murmure review import`: reads a filled review spreadsheet, checks every cell, and turns the
answered rows into corrections. Nothing is returned (so nothing stored) while any cell is wrong."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from config.profile import Profile
from indexer.layout import layout as es_layout
from review.workbook import Layout, layout_of_sheets
from schemas.label import Correction


@dataclass(frozen=True)
class CellError:
    row: int
    column: str  # the spreadsheet's letter
    header: str
    value: str
    problem: str

    def __str__(self) -> str:
        where = f"row {self.row}, column {self.column} « {self.header} »"
        shown = f" « {self.value} »" if self.value else ""
        return f"{where}:{shown} {self.problem}"


class ReviewFileError(ValueError):
    """The file as a whole is not a review spreadsheet (wrong sheets or headers)."""


@dataclass
class Reading:
    answers: list[dict[str, Any]] = field(default_factory=list)  # one per answered row
    errors: list[CellError] = field(default_factory=list)
    skipped: int = 0  # rows left blank


def read_review(path: Path, profile: Profile) -> Reading:
    """Every answered row's labels, or every bad cell (row, column, what is allowed)."""
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises zipfile, KeyError or its own errors
        raise ReviewFileError(f"{path}: not an XLSX review file ({error})") from None
    layout = layout_of_sheets(profile, book.sheetnames)
    if layout is None:
        raise ReviewFileError(f"{path}: no review sheet (have: {', '.join(book.sheetnames)})")
    rows = list(book[layout.words.sheet_review].iter_rows(values_only=True))
    book.close()
    if not rows:
        raise ReviewFileError(f"{path}: the review sheet is empty")
    headers = [_text(value) for value in rows[0]]
    padded = [*headers, *[""] * len(layout.headers)][: len(layout.headers)]
    for column, (want, have) in enumerate(zip(layout.headers, padded, strict=True), start=1):
        if want != have:
            raise ReviewFileError(
                f"{path}: column {get_column_letter(column)} should be « {want} », "
                f"found « {have} » (columns must stay as exported)"
            )
    reading = Reading()
    seen: dict[str, int] = {}
    for number, values in enumerate(rows[1:], start=2):
        cells = {key: _text(v) for key, v in zip(layout.keys, values, strict=False)}
        if not any(cells.get(key) for key in layout.keys if layout.is_filled(key)):
            reading.skipped += any(cells.values())
            continue
        answer = _answer(number, cells, layout, reading.errors)
        if answer is None:
            continue
        if answer["id"] in seen:
            problem = f"same mention as row {seen[answer['id']]}"
            reading.errors.append(_error(layout, number, "id", answer["id"], problem))
        seen[answer["id"]] = number
        reading.answers.append(answer)
    return reading


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _error(layout: Layout, row: int, key: str, value: str, problem: str) -> CellError:
    letter = get_column_letter(layout.keys.index(key) + 1)
    header = layout.header(key)
    return CellError(row=row, column=letter, header=header, value=value, problem=problem)


def _choice(
    layout: Layout,
    row: int,
    cells: dict[str, str],
    key: str,
    allowed: dict[str, Any],
    errors: list[CellError],
) -> Any:
    """The value of a drop-down cell; anything else is an error listing what is allowed."""
    value = cells.get(key, "")
    by_fold = {name.casefold(): result for name, result in allowed.items()}
    if value.casefold() in by_fold:
        return by_fold[value.casefold()]
    problem = "is not allowed" if value else "is required"
    errors.append(_error(layout, row, key, value, f"{problem}: one of {', '.join(allowed)}"))
    return None


def _answer(
    row: int, cells: dict[str, str], layout: Layout, errors: list[CellError]
) -> dict[str, Any] | None:
    words = layout.words
    yes_no = {words.answer_yes: True, words.answer_no: False}
    before = len(errors)
    if not cells.get("id"):
        errors.append(_error(layout, row, "id", "", "is required: the mention's id, as exported"))
    relevant = _choice(layout, row, cells, "relevant", yes_no, errors)
    topic_keys = [key for key in layout.keys if key.startswith("topic")]
    by_label = {label: topic for topic, label in layout.topic_labels.items()}
    topics: list[str] = []
    for key in topic_keys:
        if cells.get(key):
            topic = _choice(layout, row, cells, key, by_label, errors)
            if topic is not None and topic not in topics:
                topics.append(topic)
    question = None
    if cells.get("question"):
        question = _choice(layout, row, cells, "question", yes_no, errors)
    sentiment, complaint = "neutral", False
    if relevant:
        sentiments = {label: value for value, label in words.sentiments.items()}
        sentiment = _choice(layout, row, cells, "sentiment", sentiments, errors)
        complaint = _choice(layout, row, cells, "complaint", yes_no, errors)
        if complaint and sentiment not in (None, "negative"):
            errors.append(
                _error(
                    layout,
                    row,
                    "sentiment",
                    cells["sentiment"],
                    f"a complaint is always {words.sentiments['negative']}",
                )
            )
    elif relevant is False:
        for key in [*topic_keys, "sentiment", "complaint"]:
            if cells.get(key):
                errors.append(
                    _error(
                        layout,
                        row,
                        key,
                        cells[key],
                        f"must be empty when « {words.columns.relevant} » is {words.answer_no}",
                    )
                )
    if len(errors) > before:
        return None
    return {
        "id": cells["id"],
        "relevant": relevant,
        "topics": topics if relevant else [],
        "sentiment": sentiment,
        "complaint": bool(complaint),
        "question": question,
        "comment": cells.get("comment", ""),
        "shown": {
            key.removeprefix("shown_"): cells.get(key, "")
            for key in layout.keys
            if key.startswith("shown_")
        },
    }


def corrections_of(
    es: Elasticsearch,
    answers: Sequence[dict[str, Any]],
    path: Path,
    *,
    now: datetime,
) -> tuple[list[Correction], list[str]]:
    """Corrections of the answered rows whose mention is still indexed, and the ids of those that
    are not (erased or expired since the export: erasure wins, their rows are dropped)."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    ids = [answer["id"] for answer in answers]
    found: dict[str, dict[str, Any]] = {}
    alias = es_layout().mentions.alias
    if ids and es.indices.exists_alias(name=alias):
        response = es.search(
            index=alias,
            query={"ids": {"values": ids}},
            size=len(ids),
            source_includes=["text", "url", "created_at", "author.pseudonym", "pipeline_version"],
        )
        found = {hit["_id"]: hit["_source"] for hit in response["hits"]["hits"]}
    out, gone = [], []
    for answer in answers:
        mention = found.get(answer["id"])
        if mention is None:
            gone.append(answer["id"])
            continue
        out.append(
            Correction.model_validate(
                {
                    "mention_id": answer["id"],
                    "text": mention["text"],
                    "url": mention.get("url"),
                    "created_at": mention.get("created_at"),
                    "pseudonym": (mention.get("author") or {}).get("pseudonym"),
                    "relevant": answer["relevant"],
                    "topics": answer["topics"],
                    "sentiment": answer["sentiment"],
                    "complaint": answer["complaint"],
                    "question": answer["question"],
                    "comment": answer["comment"],
                    "shown": answer["shown"] | {"version": mention.get("pipeline_version")},
                    "source_file": path.name,
                    "source_sha256": digest,
                    "imported_at": now,
                },
                strict=False,
            )
        )
    return out, gone
