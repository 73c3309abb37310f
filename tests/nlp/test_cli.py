import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

import nlp.crossval
import nlp.training
from nlp.cli import app
from nlp.model import Example, Model, train
from nlp.stage import Stage
from nlp.training import read_labelled

from .conftest import DATA

runner = CliRunner()


def test_tag_skips_malformed_lines_and_tags_the_others(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        '{"id": "1", "text": "Le wifi de la BU est HS"}\n'
        "{not json\n"
        '{"id": "3"}\n'
        '{"id": "4", "text": "The library is lovely"}\n',
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    result = runner.invoke(
        app, ["tag", str(source), "--profile", str(DATA / "nlp_profile.yml"), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert ":2:" in result.output and ":3:" in result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["1", "4"]
    assert rows[0]["topics"] == ["wifi"] and rows[0]["complaint"] is True
    assert rows[0]["evidence"]["wifi"][0]["text"] == "wifi"
    assert {"lang", "relevant", "sentiment", "sentiment_score", "branch", "text_redacted"} <= set(
        rows[0]
    )


def _eval(*options: str) -> Result:
    data, profile = DATA / "nlp_heldout.jsonl", DATA / "nlp_profile.yml"
    return runner.invoke(app, ["eval", str(data), "--profile", str(profile), *options])


def test_eval_refuses_a_single_fold() -> None:
    result = _eval("--cv", "1")
    assert result.exit_code == 2
    assert "at least 2 folds" in result.output


def test_eval_refuses_an_unknown_kind_of_set() -> None:
    result = _eval("--cv", "3", "--kind", "imaginary")
    assert result.exit_code == 2
    assert "--kind must be real or synthetic" in result.output


@pytest.mark.filterwarnings("ignore:The least populated class")  # one post alone in its stratum
def test_eval_cv_grouped_by_page_never_splits_a_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With `--group-by page`, no fold's model learns from a post of a page it is measured on;
    the same folds ungrouped do split pages, and posts without a page are not lumped together."""
    posts = read_labelled(DATA / "nlp_heldout.jsonl")
    page = {p["id"]: f"https://example.org/page-{i % 16}" for i, p in enumerate(posts[:48])}
    data = tmp_path / "paged.jsonl"
    data.write_text(
        "".join(json.dumps(p | {"source_url": page.get(p["id"])}) + "\n" for p in posts),
        encoding="utf-8",
    )
    trained: list[set[str]] = []

    def recording_train(items: Sequence[Example], **kwargs: object) -> Model:
        trained.append({e.labels["id"] for e in items})
        return train(items)

    monkeypatch.setattr(nlp.training, "training_examples", lambda excluding: [])
    monkeypatch.setattr(nlp.crossval, "train", recording_train)

    def folds(*options: str) -> tuple[int, int]:
        """(pages split between a fold's training and measured posts, folds measuring a post
        without a page)."""
        trained.clear()
        profile = DATA / "nlp_profile.yml"
        result = runner.invoke(app, ["eval", str(data), "-p", str(profile), "--cv", "4", *options])
        assert result.exit_code == 0, result.output
        assert len(trained) == 4
        split, pageless = 0, 0
        for ids in trained:
            measured = [p["id"] for p in posts if p["id"] not in ids]
            seen = {page[i] for i in ids if i in page}
            split += len(seen & {page[i] for i in measured if i in page})
            pageless += any(i not in page for i in measured)
        return split, pageless

    split, pageless = folds("--group-by", "page")
    assert split == 0 and pageless > 1
    assert folds()[0] > 0


def _scores(data: Path) -> dict[str, Any]:
    result = runner.invoke(
        app, ["eval", str(data), "--profile", str(DATA / "nlp_profile.yml"), "--json"]
    )
    assert result.exit_code == 0, result.output
    payload: dict[str, Any] = json.loads(result.stdout[result.stdout.index("{") :])
    return payload


def test_eval_scores_the_tagging_against_the_labels(tmp_path: Path, stage: Stage) -> None:
    """Labels equal to the stage's own tags score 1; the same posts labelled with no topic score
    a topic F1 of 0, since every predicted topic is then wrong."""
    lines = (DATA / "nlp_heldout.jsonl").read_text(encoding="utf-8").splitlines()[:12]
    posts = [json.loads(line) for line in lines]
    analyses = stage.analyse([post["text"] for post in posts])
    labels = [
        {
            "id": post["id"],
            "text": post["text"],
            "lang": analysis.lang,
            "relevant": analysis.relevant,
            "topics": analysis.topic_ids,
            "sentiment": analysis.sentiment,
            "complaint": analysis.complaint,
            "branch": analysis.branch,
        }
        for post, analysis in zip(posts, analyses, strict=True)
    ]
    assert any(label["relevant"] and label["topics"] for label in labels)
    own, no_topics = tmp_path / "own.jsonl", tmp_path / "no-topics.jsonl"
    own.write_text("".join(json.dumps(label) + "\n" for label in labels), encoding="utf-8")
    no_topics.write_text(
        "".join(json.dumps(label | {"topics": []}) + "\n" for label in labels), encoding="utf-8"
    )

    agreed = _scores(own)
    assert agreed["n"] == 12
    assert agreed["topics micro-F1"] == agreed["relevance accuracy"] == 1.0
    assert agreed["branch accuracy"] == 1.0
    assert set(agreed["per_topic_f1"].values()) == {1.0}
    wrong = _scores(no_topics)
    assert wrong["topics micro-F1"] == 0.0
    predicted = {topic for label in labels if label["relevant"] for topic in label["topics"]}
    assert wrong["per_topic_f1"] == dict.fromkeys(predicted, 0.0)
