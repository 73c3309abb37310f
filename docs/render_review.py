"""Renders the pictures of the review spreadsheet in the staff guides (docs/img/review-*.png).

Needs LibreOffice (`soffice`, Debian's `libreoffice-calc-nogui`, with `fonts-crosextra-carlito`
for Calibri's metrics) and `pdftoppm` (`poppler-utils`), but no Kafka or Elasticsearch: the
sample network's week 2026-W47 is tagged here by the NLP stage with the active model, picked as
`murmure review export` picks, and written by the export's own function, in French and in
English. The answer cells of the first rows are then filled in as a reviewer would, by confirming
Murmure's tags, to show the white columns in use (LibreOffice without a display cannot photograph
an open drop-down list).

Run from the repository root: `.venv/bin/python docs/render_review.py`.
"""

import json
import subprocess
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet
from PIL import Image, ImageChops

from config.profile import Profile, load_profile
from nlp.stage import build_stage
from review.export import Picked, mention_sureness, pick, write_workbook
from review.workbook import Layout, layout_for
from schemas.mention import mention_id
from summaries.weeks import Week

ROOT = Path(__file__).resolve().parents[1]
IMG = ROOT / "docs" / "img"
PROFILE = ROOT / "samples" / "profile.yml"
STREAM = ROOT / "samples" / "stream.jsonl"
WEEK = Week.parse("2026-W47")
FILES = {"fr": "a-relire.xlsx", "en": "to-review.xlsx"}  # the guides' file names
COUNT = 50  # rows exported, as in the guides' example
SHOWN_ROWS = 8  # rows of the review sheet in the picture
ANSWERED_ROWS = 3  # of which answered
DPI = 110
A2 = 66  # paper size code of the OOXML standard
COLOURS = 64  # a palette keeps each picture small


def sample_week(profile: Profile) -> list[dict[str, Any]]:
    """The sample network's mentions of WEEK, shaped as the index returns them."""
    start, end = WEEK.window(profile.library.timezone)
    posts = [json.loads(line) for line in STREAM.read_text(encoding="utf-8").splitlines()]
    posts = [p for p in posts if start <= datetime.fromisoformat(p["created_at"]) < end]
    analyses = build_stage(profile).analyse([p["text"] for p in posts])
    return [
        {
            "id": mention_id(post["source"], post["native_id"]),
            "url": post["url"],
            "created_at": post["created_at"],
            "text": analysis.text_redacted,
            "relevant": analysis.relevant,
            "topics": [tag.topic for tag in analysis.topics],
            "sentiment": analysis.sentiment,
            "complaint": analysis.complaint,
        }
        for post, analysis in zip(posts, analyses, strict=True)
    ]


def answer(sheet: Worksheet, layout: Layout, picked: list[Picked]) -> None:
    """Fills the first rows' answer cells with Murmure's own tags, as a reviewer who agrees."""
    column = {key: n for n, key in enumerate(layout.keys, start=1)}
    for row, item in enumerate(picked[:ANSWERED_ROWS], start=2):
        mention = item.mention
        answers = {"relevant": layout.yes_no(mention["relevant"])}
        if mention["relevant"]:
            topics = [layout.topic_labels.get(t, t) for t in mention["topics"]]
            answers |= {f"topic{n}": topic for n, topic in enumerate(topics, start=1)}
            answers |= {
                "sentiment": layout.sentiment(mention["sentiment"]),
                "complaint": layout.yes_no(mention["complaint"]),
                "question": layout.yes_no(False),
            }
        for key, value in answers.items():
            if key in column:
                sheet.cell(row=row, column=column[key], value=value)


def printable(sheet: Worksheet, last_row: int) -> None:
    """One landscape A2 page per sheet (about the size of a screen at 100 %), with the grid and
    the row and column headings of Calc."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = A2
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 1
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_options.gridLines = True
    sheet.print_options.headings = True
    sheet.print_area = f"A1:{sheet.cell(row=last_row, column=sheet.max_column).coordinate}"


def photograph(pdf: Path, page: int, out: Path) -> None:
    """The PDF page as a PNG, cropped to what is printed, in a small palette."""
    stem = pdf.with_name(f"page{page}")
    subprocess.run(
        ["pdftoppm", "-png", "-r", str(DPI), "-f", str(page), "-l", str(page), "-singlefile",
         str(pdf), str(stem)],
        check=True,
    )  # fmt: skip
    image = Image.open(stem.with_suffix(".png")).convert("RGB")
    blank = Image.new("RGB", image.size, "white")
    box = ImageChops.difference(image, blank).getbbox()
    assert box, f"page {page} of {pdf.name} is blank"
    left, top, right, bottom = box
    image = image.crop((max(left - 8, 0), max(top - 8, 0), right + 8, bottom + 8))
    image.quantize(colors=COLOURS).save(out, optimize=True)
    print(f"{out.relative_to(ROOT)}: {image.width}×{image.height}, {out.stat().st_size} bytes")


def render(language: str, profile: Profile, picked: list[Picked], work: Path) -> None:
    layout = layout_for(profile, language)
    book_path = work / FILES[language]
    write_workbook(picked, profile, WEEK, book_path, layout)
    book = load_workbook(book_path)
    guide, sheet = book[layout.words.sheet_instructions], book[layout.words.sheet_review]
    answer(sheet, layout, picked)
    printable(guide, guide.max_row)
    printable(sheet, 1 + SHOWN_ROWS)
    book.save(book_path)
    subprocess.run(
        ["soffice", f"-env:UserInstallation={(work / 'lo-profile').as_uri()}", "--headless",
         "--convert-to", "pdf", "--outdir", str(work), str(book_path)],
        check=True,
        capture_output=True,
        timeout=300,
    )  # fmt: skip
    pdf = book_path.with_suffix(".pdf")
    photograph(pdf, 1, IMG / f"review-instructions-{language}.png")
    photograph(pdf, 2, IMG / f"review-rows-{language}.png")


def main() -> None:
    profile = load_profile(PROFILE)
    mentions = sample_week(profile)
    picked = pick(mentions, mention_sureness(mentions, PROFILE), COUNT, seed=str(WEEK))
    with tempfile.TemporaryDirectory() as directory:
        for language in ("fr", "en"):
            render(language, profile, picked, Path(directory))


if __name__ == "__main__":
    main()
