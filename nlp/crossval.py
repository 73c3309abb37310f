"""Scores of the learned stage on labelled posts: of a model on posts it never saw, and
cross-validated on a labelled file.

The file is cut into k stratified folds (fixed seed); each fold is tagged by a model trained on the
shipped training data (less any post of the file) plus the file's other folds, thresholds tuned
inside that training data. No model ever sees the posts it is scored on. Given groups (the posts'
pages: posts quoted from one page share wording and context), a group is never split between a
fold's training and measured posts, the more honest estimate for posts of pages never seen.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

from nlp.model import Example, Model, decide, train
from nlp.scoring import Scores, score


def predict(model: Model, items: Sequence[Example]) -> list[dict[str, Any]]:
    """Labels (eval schema) of `items` by `model`; branches are the rules'."""
    decisions = decide(model, model.features_of(items), [e.view for e in items])
    return [
        {"id": e.labels.get("id"), "branch": e.branch if decision["relevant"] else None, **decision}
        for e, decision in zip(items, decisions.labels, strict=True)
    ]


def score_model(model: Model, items: Sequence[Example]) -> Scores:
    return score([dict(e.labels) for e in items], predict(model, items))


def _strata(posts: Sequence[dict[str, Any]]) -> list[str]:
    keys = [f"{p['relevant']}-{p.get('complaint')}-{p.get('sentiment')}" for p in posts]
    counts = {k: keys.count(k) for k in keys}
    return [k if counts[k] >= 2 else "rare" for k in keys]


def pages(posts: Sequence[Mapping[str, Any]]) -> list[str]:
    """Each post's group by page: its `source_url`, or the post alone when it has none."""
    return [p.get("source_url") or f"post {i}" for i, p in enumerate(posts)]


def out_of_fold(
    file_examples: Sequence[Example],
    base: Sequence[Example],
    *,
    folds: int = 5,
    seed: int = 13,
    groups: Sequence[str] | None = None,
    progress: Callable[[], None] | None = None,
) -> list[dict[str, Any]]:
    """Predicted labels of each post of the file, by the model of the folds it is not in; posts of
    one group (`groups`, one per post) share a fold."""
    posts = [dict(e.labels) for e in file_examples]
    predicted: list[dict[str, Any]] = [{} for _ in posts]
    splitter = (
        StratifiedKFold(folds, shuffle=True, random_state=seed)
        if groups is None
        else StratifiedGroupKFold(folds, shuffle=True, random_state=seed)
    )
    splits = splitter.split(np.zeros(len(posts)), _strata(posts), groups)
    for train_rows, test_rows in splits:
        model = train([*base, *(file_examples[i] for i in train_rows)])
        tagged = predict(model, [file_examples[i] for i in test_rows])
        for i, labels in zip(test_rows, tagged, strict=True):
            predicted[i] = labels
        if progress:
            progress()
    return predicted


def cross_validate(
    file_examples: Sequence[Example],
    base: Sequence[Example],
    *,
    folds: int = 5,
    seed: int = 13,
    groups: Sequence[str] | None = None,
    progress: Callable[[], None] | None = None,
) -> Scores:
    """Scores (eval README) of the out-of-fold predictions (branches are the rules')."""
    predicted = out_of_fold(
        file_examples, base, folds=folds, seed=seed, groups=groups, progress=progress
    )
    return score([dict(e.labels) for e in file_examples], predicted)
