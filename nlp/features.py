"""What the learned heads see of a post: its words, its characters, and what the rules said.

Word 1-2-grams and character 2-5-grams of the folded text (lowercase, no accents), TF-IDF
weighted: character n-grams carry across French and English and across spellings (« wifi »,
« wi-fi », « Wi-Fi »), words across phrasing. The rule components' decisions are features too, so
a head learns how far to trust them on the posts it is trained on. Saved as plain JSON and arrays
(vocabularies, IDF weights), never pickled, so a model directory outlives library upgrades.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfVectorizer
from spacy.tokens import Doc

from nlp import encoder
from nlp.extensions import folded, text_of

WORD_TOKEN = r"(?u)\w+|[^\w\s]"  # words, and punctuation and emojis one by one (« ?? », 🙄)
RuleView = dict[str, float]


def rule_view(doc: Doc) -> RuleView:
    """The rule components' decisions on `doc`, as named features."""
    view: RuleView = {f"topics={topic}": 1.0 for topic in doc._.topics or {}}
    view[f"sentiment={doc._.sentiment}"] = 1.0
    view["sentiment_score"] = float(doc._.sentiment_score or 0.0)
    for name in ("problem", "excused", "complaint", "relevant"):
        if getattr(doc._, name):
            view[name] = 1.0
    if doc._.library_cues:
        view["library_word"] = 1.0
    if doc._.branch:
        view["branch"] = 1.0
    view[f"lang={doc.lang_}"] = 1.0
    text = text_of(doc)
    if "?" in text:
        view["question_mark"] = 1.0
    view["long"] = min(len(text), 600) / 600
    return view


@dataclass(frozen=True)
class FeatureSettings:
    word_ngrams: tuple[int, int]
    char_ngrams: tuple[int, int]
    min_df: int
    max_word_features: int
    max_char_features: int
    rule_weight: float
    sentence_encoder: str | None = None  # nlp/encoder.py; None: n-grams and rules only
    sentence_weight: float = 0.0

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> FeatureSettings:
        return cls(
            word_ngrams=(int(config["word_ngrams"][0]), int(config["word_ngrams"][1])),
            char_ngrams=(int(config["char_ngrams"][0]), int(config["char_ngrams"][1])),
            min_df=int(config["min_df"]),
            max_word_features=int(config["max_word_features"]),
            max_char_features=int(config["max_char_features"]),
            rule_weight=float(config["rule_weight"]),
            sentence_encoder=config.get("sentence_encoder"),
            sentence_weight=float(config.get("sentence_weight", 0.0)),
        )


def _vectorizer(settings: FeatureSettings, of: str, **fixed: Any) -> TfidfVectorizer:
    """TF-IDF of word n-grams (`of="words"`) or of character n-grams within words."""
    words = of == "words"
    kind: dict[str, Any] = (
        {"token_pattern": WORD_TOKEN, "ngram_range": settings.word_ngrams}
        if words
        else {"analyzer": "char_wb", "ngram_range": settings.char_ngrams}
    )
    return TfidfVectorizer(
        min_df=settings.min_df,
        max_features=settings.max_word_features if words else settings.max_char_features,
        sublinear_tf=True,
        lowercase=False,
        dtype=np.float32,
        **kind,
        **fixed,
    )


@dataclass
class Featurizer:
    """Folded texts and rule views in, one sparse row per post out."""

    settings: FeatureSettings
    words: TfidfVectorizer
    chars: TfidfVectorizer
    rules: DictVectorizer

    @classmethod
    def fit(cls, settings: FeatureSettings, texts: list[str], views: list[RuleView]) -> Featurizer:
        return cls(
            settings=settings,
            words=_vectorizer(settings, "words").fit(texts),
            chars=_vectorizer(settings, "chars").fit(texts),
            rules=DictVectorizer(dtype=np.float32, sort=True).fit(views),
        )

    def sparse(self, texts: list[str], views: list[RuleView]) -> sp.csr_matrix:
        """The n-gram and rule columns alone."""
        blocks = [
            self.words.transform(texts),
            self.chars.transform(texts),
            self.rules.transform(views) * self.settings.rule_weight,
        ]
        return sp.hstack(blocks, format="csr", dtype=np.float32)

    def with_vectors(self, sparse: sp.csr_matrix, vectors: np.ndarray | None) -> sp.csr_matrix:
        """Rows of `sparse` with their sentence vector columns: `vectors`, or empty when None,
        which is what the gate is trained on (it decides which posts need them)."""
        name = self.settings.sentence_encoder
        if not name:
            return sparse
        block = (
            sp.csr_matrix((sparse.shape[0], encoder.dimension(name)), dtype=np.float32)
            if vectors is None
            else sp.csr_matrix(vectors * self.settings.sentence_weight)
        )
        return sp.hstack([sparse, block], format="csr", dtype=np.float32)

    @property
    def names(self) -> list[str]:
        """Feature names in column order (words, characters, rules, then sentence vector)."""
        name = self.settings.sentence_encoder
        return [
            *(f"w:{n}" for n in self.words.get_feature_names_out()),
            *(f"c:{n}" for n in self.chars.get_feature_names_out()),
            *(f"r:{n}" for n in self.rules.get_feature_names_out()),
            *(f"s:{name}:{i}" for i in range(encoder.dimension(name) if name else 0)),
        ]

    def sentence_vectors(self, texts: list[str]) -> np.ndarray | None:
        """The texts' sentence vectors, or None when the features have none."""
        name = self.settings.sentence_encoder
        return encoder.embed(name, texts) if name else None

    def word_columns(self) -> dict[str, int]:
        return dict(self.words.vocabulary_)

    def char_columns(self) -> tuple[dict[str, int], int]:
        """Character n-gram columns, and the offset of their block."""
        return dict(self.chars.vocabulary_), len(self.words.vocabulary_)

    def save(self, directory: Path) -> None:
        def vocabulary(vectorizer: TfidfVectorizer) -> list[str]:
            return [str(n) for n in vectorizer.get_feature_names_out()]

        meta = {
            "settings": {
                **self.settings.__dict__,
                "word_ngrams": list(self.settings.word_ngrams),
                "char_ngrams": list(self.settings.char_ngrams),
            },
            "words": vocabulary(self.words),
            "chars": vocabulary(self.chars),
            "rules": [str(n) for n in self.rules.get_feature_names_out()],
        }
        (directory / "features.json").write_text(
            json.dumps(meta, ensure_ascii=False, sort_keys=True), encoding="utf-8"
        )
        np.savez_compressed(
            directory / "idf.npz",
            words=self.words.idf_.astype(np.float32),
            chars=self.chars.idf_.astype(np.float32),
        )

    @classmethod
    def load(cls, directory: Path) -> Featurizer:
        meta = json.loads((directory / "features.json").read_text(encoding="utf-8"))
        settings = FeatureSettings.from_config(meta["settings"])
        idf = np.load(directory / "idf.npz")
        words = _vectorizer(settings, "words", vocabulary=meta["words"])
        chars = _vectorizer(settings, "chars", vocabulary=meta["chars"])
        words.idf_, chars.idf_ = idf["words"], idf["chars"]
        rules = DictVectorizer(dtype=np.float32, sort=True)
        rules.feature_names_ = list(meta["rules"])
        rules.vocabulary_ = {name: i for i, name in enumerate(rules.feature_names_)}
        return cls(settings=settings, words=words, chars=chars, rules=rules)


def model_text(doc: Doc) -> str:
    """The text the n-grams are taken from: the redacted post, folded."""
    return folded(doc)
