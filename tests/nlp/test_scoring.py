import pytest

from nlp.scoring import macro_f1, score


def _post(
    rel: bool,
    topics: list[str],
    sentiment: str = "neutral",
    complaint: bool = False,
    branch: str | None = None,
) -> dict[str, object]:
    return {
        "id": "x",
        "text": "t",
        "relevant": rel,
        "topics": topics,
        "sentiment": sentiment,
        "complaint": complaint,
        "branch": branch,
    }


def test_scores_follow_the_eval_readme() -> None:
    gold = [
        _post(True, ["wifi", "power"], "negative", True, "a"),
        _post(True, ["hours"], "neutral", False, None),
        _post(False, []),
        _post(True, [], "positive", False, "b"),
    ]
    predicted = [
        _post(True, ["wifi"], "negative", True, "a"),
        _post(True, ["hours", "staff"], "negative", True, None),
        _post(True, ["wifi"], "negative", True, "a"),  # not relevant in gold: only relevance counts
        _post(False, []),
    ]
    scores = score(gold, predicted)
    assert scores.topic_precision == pytest.approx(2 / 3)
    assert scores.topic_recall == pytest.approx(2 / 3)
    assert scores.complaint_precision == pytest.approx(1 / 2)
    assert scores.complaint_recall == pytest.approx(1.0)
    assert scores.relevance_accuracy == pytest.approx(2 / 4)
    assert scores.branch_accuracy == pytest.approx(2 / 3)
    assert scores.topic_f1_by_topic["power"] == 0.0
    assert {e["fields"][0] for e in scores.errors} >= {"relevant"}


def test_macro_f1() -> None:
    pairs = [("negative", "negative"), ("neutral", "negative"), ("positive", "positive")]
    # negative: P 1/2 R 1 -> 2/3 ; neutral: 0 ; positive: 1
    assert macro_f1(pairs, ("negative", "neutral", "positive")) == pytest.approx(
        (2 / 3 + 0 + 1) / 3
    )
