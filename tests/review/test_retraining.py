"""The whole loop on the sample network with a planted local idiom (tests/review/idiom.py), against
the real Elasticsearch: 50 corrected rows lift the scores on a held-out slice of such posts; a file
of deliberately wrong corrections is refused by the gate; models are listed and rolled back;
retag brings indexed mentions to the active model."""

import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import Elasticsearch
from openpyxl import load_workbook
from typer.testing import CliRunner

from config.profile import load_profile
from indexer.deletion import delete_matching
from indexer.layout import layout
from murmure.cli import app
from nlp import registry
from nlp.crossval import score_model
from nlp.gate import label_scores
from nlp.model import Model
from nlp.training import examples
from review.workbook import layout_for
from summaries.weeks import Week
from tests.review import idiom
from tests.summaries.seed import SAMPLE_PROFILE, drop_mention_indices, index_mentions, mention

pytestmark = pytest.mark.integration

WEEK = Week.parse("2036-W10")
NEXT_WEEK = WEEK.shift(1)
REAL_DEV = Path(__file__).resolve().parents[3] / "shared" / "eval" / "real-dev.jsonl"


def _fill(exported: Path, target: Path, truth: dict[str, dict[str, Any]]) -> None:
    """Answers every row of an exported file from `truth` (labels by mention id)."""
    words = layout_for(load_profile(SAMPLE_PROFILE))
    book = load_workbook(exported)
    sheet = book[words.words.sheet_review]
    column = {key: i + 1 for i, key in enumerate(words.keys)}
    for row in range(2, sheet.max_row + 1):
        labels = truth[str(sheet.cell(row=row, column=1).value)]
        sheet.cell(row=row, column=column["relevant"], value=words.yes_no(labels["relevant"]))
        if labels["relevant"]:
            for n, topic in enumerate(labels["topics"], start=1):
                sheet.cell(row=row, column=column[f"topic{n}"], value=words.topic_labels[topic])
            sentiment = words.sentiment(labels["sentiment"])
            sheet.cell(row=row, column=column["sentiment"], value=sentiment)
            sheet.cell(row=row, column=column["complaint"], value=words.yes_no(labels["complaint"]))
    book.save(target)


def _run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def _index_week(es: Elasticsearch, week: Week, posts: list[dict[str, Any]]) -> dict[str, Any]:
    """Indexes the posts as mentions of `week` (fixed ids); their labels by mention id."""
    start, _ = week.window("Europe/Paris")
    mentions = [
        mention(post["text"], start + timedelta(hours=2 + 3 * i)).model_copy(
            update={"native_id": post["id"]}
        )
        for i, post in enumerate(posts)
    ]
    index_mentions(es, mentions)
    return {m.id: post for m, post in zip(mentions, posts, strict=True)}


def _review(week: Week, directory: Path, truth: dict[str, Any], name: str) -> Any:
    """Exports the week, answers every row from `truth`, imports the file."""
    exported = directory / f"export-{week}.xlsx"
    result = _run("review", "export", "--profile", str(SAMPLE_PROFILE), "--week", str(week),
                  "--count", "50", "--out", str(exported))  # fmt: skip
    assert result.exit_code == 0, result.output
    _fill(exported, directory / name, truth)
    return _run("review", "import", "--profile", str(SAMPLE_PROFILE), str(directory / name))


@pytest.fixture(scope="module")
def loop(es: Elasticsearch, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    if not REAL_DEV.is_file():
        pytest.skip(f"the gate's reference set {REAL_DEV} is not beside the project")
    directory = tmp_path_factory.mktemp("loop")
    drop_mention_indices(es, WEEK.year)
    labels_index = layout().labels
    if es.indices.exists(index=labels_index):
        delete_matching(es, labels_index, {"match_all": {}})
    root = directory / "models"
    root.mkdir()
    shipped = registry.active_version()
    shutil.copytree(registry.model_dir(), root / shipped)
    registry.activate(shipped, root)

    truth = _index_week(es, WEEK, idiom.posts(1, 50))
    result = _review(WEEK, directory, truth, "relu.xlsx")
    assert result.exit_code == 0, result.output
    assert "50 stored" in result.output
    trained = _run("nlp", "train", "--profile", str(SAMPLE_PROFILE), "--registry", str(root))
    return {
        "root": root,
        "shipped": shipped,
        "trained": trained,
        "truth": truth,
        "directory": directory,
    }


def test_fifty_corrected_rows_lift_the_held_out_slice(loop: dict[str, Any]) -> None:
    trained = loop["trained"]
    assert trained.exit_code == 0, trained.output
    root = loop["root"]
    adopted = registry.active_version(root)
    assert adopted != loop["shipped"]
    held_out = examples(idiom.posts(2, 40), SAMPLE_PROFILE)  # never corrected, never trained on
    before = label_scores(score_model(Model.load(root / loop["shipped"]), held_out))
    after = label_scores(score_model(Model.load(root / adopted), held_out))
    print(f"held-out idiom slice, before {before}, after {after}")
    assert after["topics"] >= before["topics"] + 0.15
    assert after["sentiment"] >= before["sentiment"] + 0.05
    assert after["complaint"] >= before["complaint"]
    assert after["relevant"] >= before["relevant"]


def test_wrong_corrections_are_refused_by_the_gate(es: Elasticsearch, loop: dict[str, Any]) -> None:
    root = loop["root"]
    adopted = registry.active_version(root)
    # Another week's posts in the same idiom, every label turned wrong (tests/review/idiom.py).
    truth = _index_week(es, NEXT_WEEK, [idiom.wrong(p) for p in idiom.posts(3, 50)])
    result = _review(NEXT_WEEK, loop["directory"], truth, "faux.xlsx")
    assert result.exit_code == 0, result.output
    assert "50 stored" in result.output
    refused = _run("nlp", "train", "--profile", str(SAMPLE_PROFILE), "--registry", str(root))
    print(refused.output)
    assert refused.exit_code == 1, refused.output
    assert "worse beyond the tolerance" in refused.output
    assert "relu.xlsx" in " ".join(refused.output.split("worse beyond the tolerance")[1].split())
    assert registry.active_version(root) == adopted  # the current model is kept
    assert len(registry.versions(root)) == 3  # the refused one is kept on disk, not active


def test_models_are_listed_and_rolled_back(loop: dict[str, Any]) -> None:
    root = loop["root"]
    listed = _run("nlp", "models", "--registry", str(root))
    assert listed.exit_code == 0, listed.output
    assert "passed" in listed.output and "refused" in listed.output
    rolled = _run("nlp", "models", "--registry", str(root), "--activate", loop["shipped"])
    assert rolled.exit_code == 0, rolled.output
    assert registry.active_version(root) == loop["shipped"]
    unknown = _run("nlp", "models", "--registry", str(root), "--activate", "linear-nope")
    assert unknown.exit_code == 2
    assert registry.active_version(root) == loop["shipped"]


def test_retag_brings_indexed_mentions_to_the_active_model(
    es: Elasticsearch, loop: dict[str, Any]
) -> None:
    root = loop["root"]
    passed = [v for v in registry.versions(root) if v != loop["shipped"]]
    good = next(v for v in passed if '"accepted": true' in (root / v / "gate.json").read_text())
    registry.activate(good, root)
    since = WEEK.monday.isoformat()
    command = ["nlp", "retag", "--profile", str(SAMPLE_PROFILE), "--since", since,
               "--registry", str(root)]  # fmt: skip
    first = _run(*command)
    assert first.exit_code == 0, first.output
    assert " re-tagged" in first.output  # ours, and any later test mention
    docs = es.search(
        index=layout().mentions.alias,
        query={"ids": {"values": list(loop["truth"])}},
        size=50,
        source_includes=["pipeline_version", "complaint", "topics"],
    )["hits"]["hits"]
    assert {f"+{good}+" in hit["_source"]["pipeline_version"] for hit in docs} == {True}
    complaints = [
        hit["_source"]["complaint"] == loop["truth"][hit["_id"]]["complaint"] for hit in docs
    ]
    assert sum(complaints) >= 45  # the seeded documents said no complaint at all
    again = _run(*command)
    assert again.exit_code == 0, again.output
    assert ": 0 re-tagged" in again.output
