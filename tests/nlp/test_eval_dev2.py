"""The second development set (tests/data/nlp_dev2_*.jsonl), written before the rules it checks
were changed, in two halves: one against the dev profile's Brest network (copied as
tests/data/nlp_profile_brest.yml), one against a fictional network with ambiguous branch names
(tests/data/nlp_profile2.yml). Thresholds sit a little below the measured scores (README,
« Measured »), so a regression fails."""

import json
from pathlib import Path

from config.profile import load_profile
from nlp.scoring import Scores, score
from nlp.stage import build_stage

from .conftest import DATA


def _scores(data: Path, profile: Path) -> tuple[int, Scores]:
    gold = [json.loads(line) for line in data.read_text(encoding="utf-8").splitlines() if line]
    stage = build_stage(load_profile(profile))
    predicted = [
        {**analysis.model_dump(), "id": post["id"], "topics": analysis.topic_ids}
        for post, analysis in zip(gold, stage.analyse([p["text"] for p in gold]), strict=True)
    ]
    return len(gold), score(gold, predicted)


def test_dev2_brest_scores() -> None:
    n, scores = _scores(DATA / "nlp_dev2_brest.jsonl", DATA / "nlp_profile_brest.yml")
    assert n >= 150
    assert scores.topic_f1 >= 0.92
    assert scores.sentiment_macro_f1 >= 0.95
    assert scores.complaint_precision >= 0.95
    assert scores.complaint_recall >= 0.94
    assert scores.relevance_accuracy >= 0.97
    assert scores.branch_accuracy >= 0.97


def test_dev2_other_network_scores() -> None:
    n, scores = _scores(DATA / "nlp_dev2_other.jsonl", DATA / "nlp_profile2.yml")
    assert n >= 150
    assert scores.topic_f1 >= 0.92
    assert scores.sentiment_macro_f1 >= 0.93
    assert scores.complaint_precision >= 0.95
    assert scores.complaint_recall >= 0.91
    assert scores.relevance_accuracy >= 0.96
    assert scores.branch_accuracy >= 0.96
