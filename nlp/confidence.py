"""How sure the learned heads are of each post: the margin of their least certain decision.

Staff review time is best spent where the model hesitates; the margin is the distance of each
binary head's probability to its threshold (relevance, complaint on relevant posts), and for
sentiment the gap between the two likeliest classes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nlp.model import Example, Model


def sureness(model: Model, items: Sequence[Example]) -> list[float]:
    """One margin per post in [0, 1]: 0 is a coin toss on some head, 1 is certain everywhere."""
    if not items:
        return []
    probabilities = model.probabilities(model.features_of(items))
    margins = np.ones(len(items))
    relevant = np.ones(len(items), dtype=bool)
    if "relevant" in model.heads and model.heads["relevant"].outputs:
        head = model.heads["relevant"]
        p = probabilities["relevant"][:, 0]
        margins = np.minimum(margins, _binary_margin(p, float(head.thresholds[0])))
        relevant = p >= head.thresholds[0]
    if "complaint" in model.heads and model.heads["complaint"].outputs:
        head = model.heads["complaint"]
        margin = _binary_margin(probabilities["complaint"][:, 0], float(head.thresholds[0]))
        margins = np.where(relevant, np.minimum(margins, margin), margins)
    if "sentiment" in model.heads and len(model.heads["sentiment"].outputs) > 1:
        top2 = np.sort(probabilities["sentiment"], axis=1)[:, -2:]
        margins = np.where(relevant, np.minimum(margins, top2[:, 1] - top2[:, 0]), margins)
    return [round(float(m), 4) for m in margins]


def _binary_margin(p: np.ndarray, threshold: float) -> np.ndarray:
    """|p - threshold| scaled so that 1 is the farthest a probability can be on its side."""
    span = np.where(p >= threshold, 1.0 - threshold, threshold)
    return np.asarray(np.abs(p - threshold) / np.maximum(span, 1e-9))
