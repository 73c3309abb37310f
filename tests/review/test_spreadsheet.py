"""The review spreadsheet against the real Elasticsearch: export, import (all or nothing, twice
the same), erasure of corrections."""

import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import Elasticsearch
from openpyxl import load_workbook
from typer.testing import CliRunner

from indexer.layout import layout
from murmure.cli import app
from summaries.weeks import Week
from tests.summaries.seed import drop_mention_indices, index_mentions, mention, write_profile

pytestmark = pytest.mark.integration

WEEK = Week.parse("2035-W10")
TEXTS = [
    "Le wifi de la médiathèque centrale ne marche plus depuis ce matin, impossible de bosser",
    "Super expo photo à Lanvern, bravo aux bibliothécaires",
    "Il fait 14 degrés en salle de lecture au Stang, on garde nos manteaux",
    "Quelqu'un sait si la BU du Stang ouvre dimanche pendant les partiels ?",
    "Match de foot ce soir au stade de Kerbrient, venez nombreux",
    "Les prises de la salle du 2e aux Tanneurs ne marchent pas, plus de batterie",
    "Merci pour l'atelier numérique de samedi à Keranou, très clair",
    "Trop de bruit à la centrale cet après-midi, des groupes qui parlent fort",
]


@pytest.fixture(scope="module")
def world(es: Elasticsearch, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    drop_mention_indices(es, WEEK.year)
    directory = tmp_path_factory.mktemp("review")
    profile = write_profile(directory, f"test-{uuid.uuid4().hex[:8]}")
    start, _ = WEEK.window("Europe/Paris")
    pseudonym = "p_" + uuid.uuid4().hex[:24]
    mentions = [
        mention(text, start + timedelta(hours=5 + 7 * i), pseudonym=pseudonym)
        for i, text in enumerate(TEXTS)
    ]
    index_mentions(es, mentions)
    out = directory / "a-relire.xlsx"
    result = CliRunner().invoke(
        app,
        ["review", "export", "--profile", str(profile), "--week", str(WEEK), "--count", "5",
         "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return {"profile": profile, "out": out, "mentions": mentions, "pseudonym": pseudonym}


def _label(es: Elasticsearch, mention_id: str) -> dict[str, Any] | None:
    index = layout().labels
    if not es.indices.exists(index=index):
        return None
    es.indices.refresh(index=index)
    found = es.options(ignore_status=404).get(index=index, id=mention_id)
    return found["_source"] if found.get("found") else None


def _fill(source: Path, target: Path, answers: dict[int, dict[str, str]]) -> None:
    """Writes answers (by sheet row, by header) into a copy of an exported file."""
    book = load_workbook(source)
    sheet = book["À relire"]
    headers = [cell.value for cell in sheet[1]]
    for row, values in answers.items():
        for header, value in values.items():
            sheet.cell(row=row, column=headers.index(header) + 1, value=value)
    book.save(target)


def test_export_has_instructions_context_and_drop_down_lists(world: dict[str, Any]) -> None:
    book = load_workbook(world["out"])
    assert book.sheetnames == ["Mode d'emploi", "Listes", "À relire"]
    assert str(WEEK) in str(book["Mode d'emploi"]["A1"].value)
    assert book["Listes"].sheet_state == "hidden"
    sheet = book["À relire"]
    headers = [cell.value for cell in sheet[1]]
    assert headers[:4] == ["identifiant", "lien", "date", "texte (anonymisé)"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 5
    by_id = {m.id: m for m in world["mentions"]}
    for row in rows:
        assert row[3] == by_id[row[0]].text_redacted  # the redacted text, beside its id
    lists = {
        str(v.sqref).split(":")[0].rstrip("0123456789"): v.formula1
        for v in sheet.data_validations.dataValidation
    }
    letter = {h: chr(ord("A") + i) for i, h in enumerate(headers)}
    assert lists[letter["pertinent ?"]] == '"oui,non"'
    assert lists[letter["plainte ?"]] == '"oui,non"'
    assert lists[letter["question ?"]] == '"oui,non"'
    assert lists[letter["ton"]] == '"négatif,neutre,positif"'
    assert lists[letter["thème 1"]].startswith("'Listes'!$A$1:$A$")
    topics = [row[0] for row in book["Listes"].iter_rows(values_only=True)]
    assert "Wi-Fi et connexion" in topics
    assert sheet.protection.sheet  # the grey columns are locked, the answers are not
    assert sheet.cell(row=2, column=headers.index("ton") + 1).protection.locked is False
    assert sheet.cell(row=2, column=4).protection.locked is True


def test_rows_are_tall_enough_for_their_wrapped_text(world: dict[str, Any]) -> None:
    """Calc opens a row at the file's height: without one, a long line shows its start only."""
    book = load_workbook(world["out"])
    guide = book["Mode d'emploi"]
    lines = {r: str(guide.cell(row=r, column=1).value) for r in range(2, guide.max_row + 1)}
    longest, shortest = (
        max(lines, key=lambda r: len(lines[r])),
        min(lines, key=lambda r: len(lines[r])),
    )
    assert len(lines[longest]) > 2 * len(lines[shortest])
    assert guide.row_dimensions[longest].height > guide.row_dimensions[shortest].height > 0
    sheet = book["À relire"]
    assert all(sheet.row_dimensions[r].height for r in range(2, sheet.max_row + 1))


def test_a_bad_file_names_each_cell_and_stores_nothing(
    es: Elasticsearch, world: dict[str, Any], tmp_path: Path
) -> None:
    bad = tmp_path / "mauvais.xlsx"
    _fill(
        world["out"],
        bad,
        {
            2: {"pertinent ?": "oui", "ton": "negatif?", "plainte ?": "oui", "thème 1": "Wi-Fi"},
            3: {"pertinent ?": "non", "plainte ?": "oui"},
            4: {"pertinent ?": "oui", "ton": "positif", "plainte ?": "non"},  # a valid row
        },
    )
    result = CliRunner().invoke(
        app, ["review", "import", "--profile", str(world["profile"]), str(bad)]
    )
    assert result.exit_code == 1, result.output
    text = " ".join(result.output.split())
    assert "negatif?" in text and "négatif, neutre, positif" in text
    assert "Wi-Fi" in text  # not a topic label of the list
    assert "must be empty" in text
    sheet = load_workbook(bad)["À relire"]
    valid_id = sheet.cell(row=4, column=1).value
    assert _label(es, str(valid_id)) is None  # the valid row was not stored either


def test_import_stores_once_and_forget_erases(
    es: Elasticsearch, world: dict[str, Any], tmp_path: Path
) -> None:
    good = tmp_path / "relu.xlsx"
    _fill(
        world["out"],
        good,
        {
            2: {
                "pertinent ?": "oui",
                "ton": "négatif",
                "plainte ?": "oui",
                "thème 1": "Wi-Fi et connexion",
                "commentaire": "la Centrale",
            },
            3: {"pertinent ?": "non"},
        },
    )
    sheet = load_workbook(good)["À relire"]
    first, second = str(sheet.cell(row=2, column=1).value), str(sheet.cell(row=3, column=1).value)
    command = ["review", "import", "--profile", str(world["profile"]), str(good)]
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 0, result.output
    assert "2 stored" in result.output
    stored = _label(es, first)
    assert stored is not None
    assert stored["relevant"] and stored["complaint"] and stored["sentiment"] == "negative"
    assert stored["topics"] == ["wifi"]
    assert stored["source_file"] == "relu.xlsx" and stored["pseudonym"] == world["pseudonym"]
    assert stored["comment"] == "la Centrale"
    assert (_label(es, second) or {}).get("relevant") is False

    again = CliRunner().invoke(app, command)
    assert again.exit_code == 0, again.output
    assert "0 stored, 2 already there" in again.output
    assert _label(es, first) == stored  # same date, same file: nothing changed

    erased = CliRunner().invoke(
        app, ["forget", "--profile", str(world["profile"]), "--mention", first]
    )
    assert erased.exit_code == 0, erased.output
    assert _label(es, first) is None
    assert _label(es, second) is not None
    CliRunner().invoke(
        app, ["forget", "--profile", str(world["profile"]), "--author", world["pseudonym"]]
    )
    assert _label(es, second) is None
