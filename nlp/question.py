"""`murmure_question`: a post that asks the library something its staff can answer.

Opening hours, renewals, whether a book is in, where to print: a sentence that asks (a question
mark, or a request such as « je voudrais savoir ») with an ask cue (an interrogative word or a
service). A post addressed to other patrons (« quelqu'un sait… ») or with a rhetorical question
(« c'est normal que… ? », « sérieux ? », « ?? ») asks the library nothing, nor does a post that
is not about the library. The cues are data (`data/question.yml`); precision comes before recall.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import ClassVar

import yaml
from spacy.language import Language
from spacy.tokens import Doc

from nlp.datafiles import DATA_DIR, DataComponent
from nlp.extensions import folded
from nlp.text import compile_terms

CUES = "question.yml"
# A sentence: up to and including its end mark(s), or up to a line break.
_SENTENCE = re.compile(r"[^.!?\n]*(?:[.!?]+|\n|$)")
# Quoted words (a sign, someone else's words) are not the poster asking.
_QUOTED = re.compile(r"«[^»]*»|“[^”]*”|\"[^\"]*\"")
# A post asks at its start: a question deep in a long review is most often rhetorical.
OPENING_SENTENCES = 2

if not Doc.has_extension("question"):
    Doc.set_extension("question", default=None)


@dataclass(frozen=True)
class QuestionCues:
    requests: re.Pattern[str] | None
    asks: re.Pattern[str] | None
    to_others: re.Pattern[str] | None
    rhetorical: re.Pattern[str] | None

    def asks_library(self, folded_text: str) -> bool:
        """Is one sentence of the (folded) text a question the library's staff can answer?"""
        if _found(self.to_others, folded_text) or _found(self.rhetorical, folded_text):
            return False
        opening = _sentences(_QUOTED.sub(" ", folded_text))[:OPENING_SENTENCES]
        return any(self._question(sentence) for sentence in opening)

    def _question(self, sentence: str) -> bool:
        asking = "?" in sentence or _found(self.requests, sentence)
        return asking and _found(self.asks, sentence.strip())


def _sentences(text: str) -> list[str]:
    return [m.group(0) for m in _SENTENCE.finditer(text) if m.group(0).strip()]


def _found(pattern: re.Pattern[str] | None, text: str) -> bool:
    return pattern is not None and pattern.search(text) is not None


@lru_cache(maxsize=4)
def question_cues(text: str) -> QuestionCues:
    """The cues of `question.yml`'s text (shared by the French and English pipelines)."""
    data = yaml.safe_load(text)
    return QuestionCues(
        **{
            key: compile_terms(data.get(key) or [])
            for key in ("requests", "asks", "to_others", "rhetorical")
        }
    )


class QuestionDetector(DataComponent):
    files: ClassVar[dict[str, Path]] = {CUES: DATA_DIR / CUES}

    def build(self, data: Mapping[str, str]) -> None:
        self.cues = question_cues(data[CUES])

    def __call__(self, doc: Doc) -> Doc:
        doc._.question = bool(doc._.relevant) and self.cues.asks_library(folded(doc))
        return doc


@Language.factory("murmure_question_v1", default_config={})
def make_question(nlp: Language, name: str) -> QuestionDetector:
    return QuestionDetector()
