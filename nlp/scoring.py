"""Scores of the eval README: topics micro P/R/F1 (+ per topic F1) and sentiment macro-F1 over
relevant posts, complaint P/R of `true` over relevant posts, relevance accuracy over all posts,
branch accuracy over relevant posts (null is a class). "Relevant" is the gold label."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

SENTIMENTS = ("negative", "neutral", "positive")


def _ratio(num: float, den: float) -> float:
    return num / den if den else 0.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Scores:
    n: int
    n_relevant: int
    topic_precision: float
    topic_recall: float
    topic_f1: float
    topic_f1_by_topic: dict[str, float]
    sentiment_macro_f1: float
    complaint_precision: float
    complaint_recall: float
    relevance_accuracy: float
    branch_accuracy: float
    errors: list[dict[str, Any]] = field(default_factory=list)

    def headline(self) -> dict[str, float]:
        return {
            "topics micro-F1": self.topic_f1,
            "topics precision": self.topic_precision,
            "topics recall": self.topic_recall,
            "sentiment macro-F1": self.sentiment_macro_f1,
            "complaint precision": self.complaint_precision,
            "complaint recall": self.complaint_recall,
            "relevance accuracy": self.relevance_accuracy,
            "branch accuracy": self.branch_accuracy,
        }


def score(gold: Sequence[Mapping[str, Any]], predicted: Sequence[Mapping[str, Any]]) -> Scores:
    """Compare label dicts (eval schema) line by line; both sequences are in the same order."""
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted must have the same length")
    tp = fp = fn = 0
    per_topic: dict[str, list[int]] = {}
    sentiment_pairs: list[tuple[str, str]] = []
    c_tp = c_fp = c_fn = 0
    relevance_ok = branch_ok = n_relevant = 0
    errors: list[dict[str, Any]] = []
    for g, p in zip(gold, predicted, strict=True):
        relevance_ok += bool(g["relevant"]) == bool(p["relevant"])
        wrong = [] if bool(g["relevant"]) == bool(p["relevant"]) else ["relevant"]
        if g["relevant"]:
            n_relevant += 1
            gt, pt = set(g.get("topics") or []), set(p.get("topics") or [])
            tp, fp, fn = tp + len(gt & pt), fp + len(pt - gt), fn + len(gt - pt)
            for topic in gt | pt:
                counts = per_topic.setdefault(topic, [0, 0, 0])
                counts[0] += topic in gt and topic in pt
                counts[1] += topic in pt and topic not in gt
                counts[2] += topic in gt and topic not in pt
            sentiment_pairs.append((g["sentiment"], p["sentiment"]))
            gc, pc = bool(g["complaint"]), bool(p["complaint"])
            c_tp, c_fp, c_fn = c_tp + (gc and pc), c_fp + (pc and not gc), c_fn + (gc and not pc)
            branch_ok += g.get("branch") == p.get("branch")
            wrong += [
                k
                for k, same in (
                    ("topics", gt == pt),
                    ("sentiment", g["sentiment"] == p["sentiment"]),
                    ("complaint", gc == pc),
                    ("branch", g.get("branch") == p.get("branch")),
                )
                if not same
            ]
        if wrong:
            errors.append(
                {"id": g.get("id"), "fields": wrong, "gold": dict(g), "predicted": dict(p)}
            )
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    return Scores(
        n=len(gold),
        n_relevant=n_relevant,
        topic_precision=precision,
        topic_recall=recall,
        topic_f1=_f1(precision, recall),
        topic_f1_by_topic={
            t: _f1(_ratio(c[0], c[0] + c[1]), _ratio(c[0], c[0] + c[2]))
            for t, c in sorted(per_topic.items())
        },
        sentiment_macro_f1=macro_f1(sentiment_pairs, SENTIMENTS),
        complaint_precision=_ratio(c_tp, c_tp + c_fp),
        complaint_recall=_ratio(c_tp, c_tp + c_fn),
        relevance_accuracy=_ratio(relevance_ok, len(gold)),
        branch_accuracy=_ratio(branch_ok, n_relevant),
        errors=errors,
    )


def macro_f1(pairs: Iterable[tuple[str, str]], labels: Sequence[str]) -> float:
    pairs = list(pairs)
    f1s = []
    for label in labels:
        tp = sum(g == label and p == label for g, p in pairs)
        fp = sum(g != label and p == label for g, p in pairs)
        fn = sum(g == label and p != label for g, p in pairs)
        f1s.append(_f1(_ratio(tp, tp + fp), _ratio(tp, tp + fn)))
    return sum(f1s) / len(f1s) if f1s else 0.0
