"""`murmure review export`: the week's mentions the model was least sure of, plus a few drawn at
random (so staff also confirm ordinary cases), as an XLSX file with drop-down lists."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from config.profile import Profile
from indexer.queries import mentions_between
from review.settings import review_settings
from review.workbook import Layout, layout_for
from summaries.weeks import Week

FIELDS = (
    "id", "url", "created_at", "text", "relevant", "topics", "sentiment", "complaint",
    "pipeline_version",
)  # fmt: skip
GREY = PatternFill("solid", fgColor="EEEEEE")
WIDTHS = {"id": 14, "url": 18, "created_at": 17, "text": 70, "comment": 40}
GUIDE_WIDTH = 120
LINE_HEIGHT = 15  # points per line of 11-point text
CHARS_PER_WIDTH = 1.2  # letters per unit of column width (the width of a « 0 ») in a line


@dataclass(frozen=True)
class Picked:
    mention: dict[str, Any]
    sureness: float
    random: bool


def week_mentions(es: Elasticsearch, week: Week, profile: Profile) -> list[dict[str, Any]]:
    start, end = week.window(profile.library.timezone)
    return list(mentions_between(es, start, end, fields=FIELDS))


def pick(
    mentions: Sequence[dict[str, Any]],
    sureness: Sequence[float],
    count: int,
    *,
    seed: str,
) -> list[Picked]:
    """The `count` least sure mentions, a share of them replaced by others drawn at random
    (seeded by the week: the same week gives the same file)."""
    share = review_settings().random_share
    order = sorted(range(len(mentions)), key=lambda i: (sureness[i], mentions[i]["id"]))
    drawn_count = round(count * share)
    unsure = order[: count - drawn_count]
    rest = order[len(unsure) :]
    drawn = random.Random(seed).sample(rest, min(drawn_count, len(rest)))
    chosen = [(i, False) for i in unsure] + [(i, True) for i in drawn]
    chosen.sort(key=lambda item: mentions[item[0]]["created_at"])
    return [Picked(mentions[i], sureness[i], is_random) for i, is_random in chosen[:count]]


def mention_sureness(mentions: Sequence[dict[str, Any]], profile_path: Path) -> list[float]:
    """The active model's margin on each mention, from its stored (redacted) text."""
    from nlp.classifier import load_model
    from nlp.confidence import sureness
    from nlp.training import examples

    items = examples(mentions, profile_path)
    return sureness(load_model(), items)


def write_workbook(
    picked: Sequence[Picked], profile: Profile, week: Week, out: Path, layout: Layout | None = None
) -> None:
    layout = layout or layout_for(profile)
    words = layout.words
    book = Workbook()
    guide = book.active
    assert guide is not None
    guide.title = words.sheet_instructions
    text = words.instructions.format(
        week=week,
        library=profile.library.name,
        max_topics=review_settings().max_topics,
        file=out.name,
    )
    for row, line in enumerate(text.strip().splitlines(), start=1):
        cell = guide.cell(row=row, column=1, value=line)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        guide.row_dimensions[row].height = _height(line, GUIDE_WIDTH)
    guide["A1"].font = Font(bold=True, size=14)
    guide.row_dimensions[1].height = 1.5 * LINE_HEIGHT
    guide.column_dimensions["A"].width = GUIDE_WIDTH

    lists = book.create_sheet(words.sheet_lists)
    topic_names = sorted(layout.topic_labels.values(), key=str.casefold)
    for row, name in enumerate(topic_names, start=1):
        lists.cell(row=row, column=1, value=name)
    lists.sheet_state = "hidden"

    sheet = book.create_sheet(words.sheet_review)
    sheet.append(layout.headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row, item in enumerate(picked, start=2):
        sheet.append(_row(item.mention, layout))
        sheet.row_dimensions[row].height = _height(item.mention["text"], WIDTHS["text"])
    last = max(len(picked) + 1, 2)
    _validations(sheet, layout, last, f"{quote_sheetname(lists.title)}!$A$1:$A${len(topic_names)}")
    for column, key in enumerate(layout.keys, start=1):
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = WIDTHS.get(key, 14)
        for (cell,) in sheet.iter_rows(min_row=2, max_row=last, min_col=column, max_col=column):
            if layout.is_filled(key):
                cell.protection = Protection(locked=False)
            else:
                cell.fill = GREY
            cell.alignment = Alignment(wrap_text=key == "text", vertical="top")
    sheet.freeze_panes = "E2"
    # Locked: the grey columns (what the import reads back is the id; the rest is context).
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False
    sheet.protection.autoFilter = False
    sheet.protection.sort = False
    book.active = book.index(sheet)
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)


def _height(text: str, width: int) -> float:
    """A row tall enough for its wrapped text: LibreOffice Calc opens a row at the height the file
    gives (else one line), so a long text would show its first line only."""
    per_line = width * CHARS_PER_WIDTH
    lines = sum(max(1, math.ceil(len(part) / per_line)) for part in text.splitlines() or [""])
    return lines * LINE_HEIGHT


def _row(mention: dict[str, Any], layout: Layout) -> list[Any]:
    shown = {
        "id": mention["id"],
        "url": mention.get("url") or "",
        "created_at": str(mention["created_at"])[:16].replace("T", " "),
        "text": mention["text"],
        "shown_relevant": layout.yes_no(bool(mention.get("relevant"))),
        "shown_topics": layout.topics(list(mention.get("topics") or [])),
        "shown_sentiment": layout.sentiment(str(mention.get("sentiment", ""))),
        "shown_complaint": layout.yes_no(bool(mention.get("complaint"))),
    }
    return [shown.get(key) for key in layout.keys]


def _validations(sheet: Any, layout: Layout, last: int, topics_range: str) -> None:
    words = layout.words
    yes_no = f'"{words.answer_yes},{words.answer_no}"'
    sentiments = '"' + ",".join(words.sentiments.values()) + '"'
    for key in layout.keys:
        if key in ("relevant", "complaint", "question"):
            formula = yes_no
        elif key == "sentiment":
            formula = sentiments
        elif key.startswith("topic"):
            formula = topics_range
        else:
            continue
        letter = get_column_letter(layout.keys.index(key) + 1)
        validation = DataValidation(
            type="list",
            formula1=formula,
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=layout.header(key),
            error=formula.strip('"') if not key.startswith("topic") else None,
        )
        validation.add(f"{letter}2:{letter}{last}")
        sheet.add_data_validation(validation)
