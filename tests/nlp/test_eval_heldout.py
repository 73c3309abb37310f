"""The project's own held-out split (written apart from the rules, never used to tune them)."""

import json

from nlp.scoring import score
from nlp.stage import Stage

from .conftest import DATA


def test_heldout_scores(stage: Stage) -> None:
    gold = [json.loads(line) for line in (DATA / "nlp_heldout.jsonl").read_text().splitlines()]
    predicted = []
    for post, analysis in zip(gold, stage.analyse([p["text"] for p in gold]), strict=True):
        predicted.append({**analysis.model_dump(), "id": post["id"], "topics": analysis.topic_ids})
    scores = score(gold, predicted)
    assert len(gold) >= 60
    assert scores.topic_f1 >= 0.85
    assert scores.sentiment_macro_f1 >= 0.75
    assert scores.complaint_precision >= 0.85
    assert scores.complaint_recall >= 0.75
    assert scores.relevance_accuracy >= 0.90
    assert scores.branch_accuracy >= 0.85
