"""`murmure_classifier_v1`: the learned heads decide, after the rule components.

The rules' decisions are features of the heads (nlp/features.py); the heads' decisions replace
them on the doc. Evidence stays explainable: a topic the rules found keeps the rules' spans, a
topic only the model found gets the words that weighed most for it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc

from nlp.features import model_text, rule_view
from nlp.model import Model, decide, load_config
from nlp.registry import model_dir as registry_model_dir

_WORD = re.compile(r"\w+")


@lru_cache(maxsize=4)
def load_model(directory: str | None = None) -> Model:
    """The model at `directory`, or the registry's active one; loaded once per process."""
    return Model.load(Path(directory) if directory else registry_model_dir())


class Classifier:
    def __init__(self, model: Model) -> None:
        self.model = model
        self.char_ngrams = model.featurizer.chars.build_analyzer()
        self.word_columns = model.featurizer.word_columns()
        self.char_columns, self.char_offset = model.featurizer.char_columns()
        self._columns = lru_cache(maxsize=1 << 16)(self._word_columns)  # words recur
        self.evidence_words = int(load_config()["model"]["evidence_words"])
        self.ruled_heads = set(model.rules["heads"])

    def __call__(self, doc: Doc) -> Doc:
        self._tag([doc])
        return doc

    def pipe(self, stream: Iterable[Doc], *, batch_size: int = 256) -> Iterator[Doc]:
        docs = iter(stream)
        while batch := list(islice(docs, batch_size)):
            self._tag(batch)
            yield from batch

    def _tag(self, docs: list[Doc]) -> None:
        texts = [model_text(doc) for doc in docs]
        views = [rule_view(doc) for doc in docs]
        x = self.model.features(texts, views)
        decisions = decide(self.model, x, views)
        probabilities = decisions.probabilities
        topics = self.model.heads.get("topics")
        for i, (doc, decision) in enumerate(zip(docs, decisions.labels, strict=True)):
            ruled: dict[str, list[list[int]]] = doc._.topics or {}
            spans: dict[str, list[list[int]]] = {}
            for topic in decision.get("topics", []):
                if topic in ruled:
                    spans[topic] = ruled[topic]
                elif topics is not None and topic in topics.outputs:
                    row = topics.coef[topics.outputs.index(topic)]
                    spans[topic] = self._weighty_words(x[i], row, texts[i])
            doc._.relevant = decision.get("relevant", doc._.relevant)
            doc._.topics = spans
            doc._.sentiment = decision.get("sentiment", doc._.sentiment)
            doc._.complaint = decision.get("complaint", doc._.complaint)
            doc._.learned = decision
            ruled_sentiment = "sentiment" in self.ruled_heads and decisions.by_rules[i]
            if "sentiment" in probabilities and not ruled_sentiment:
                outputs = self.model.heads["sentiment"].outputs
                p = dict(zip(outputs, probabilities["sentiment"][i], strict=True))
                doc._.sentiment_score = round(
                    float(p.get("positive", 0.0) - p.get("negative", 0.0)), 3
                )

    def _word_columns(self, word: str) -> tuple[int, ...]:
        """The feature columns of a word alone: itself, and its character n-grams."""
        own = self.word_columns.get(word)
        grams = (self.char_columns.get(gram) for gram in self.char_ngrams(word))
        return tuple(
            ([] if own is None else [own]) + [self.char_offset + c for c in grams if c is not None]
        )

    def _weighty_words(self, row: Any, coef: np.ndarray, text: str) -> list[list[int]]:
        """Spans of the words whose n-grams pushed `coef`'s decision up the most."""
        contribution = {
            int(j): float(v) * float(coef[j]) for j, v in zip(row.indices, row.data, strict=True)
        }
        scored: dict[str, tuple[float, int, int]] = {}
        for match in _WORD.finditer(text):
            word = match.group()
            if word in scored:
                continue
            weight = sum(contribution.get(column, 0.0) for column in self._columns(word))
            scored[word] = (weight, match.start(), match.end())
        best = sorted(scored.values(), reverse=True)[: self.evidence_words]
        return sorted([start, end] for weight, start, end in best if weight > 0)


@Language.factory("murmure_classifier_v1", default_config={"model_dir": None})
def make_classifier(nlp: Language, name: str, *, model_dir: str | None) -> Classifier:
    return Classifier(load_model(model_dir))
