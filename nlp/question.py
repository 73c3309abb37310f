"""`murmure_question`: a post that asks the library something its staff can answer.

Opening hours, renewals, whether a book is in, where to print: a sentence that asks (a question
mark, or a request such as « je voudrais savoir ») with an ask cue (an interrogative word or a
service). A post addressed to other patrons (« quelqu'un sait… ») or with a rhetorical question
(« c'est normal que… ? », « sérieux ? », « ?? ») asks the library nothing, nor does a post that
is not about the library. The cues are data (`data/question.yml`); precision comes before recall.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from spacy.language import Language
from spacy.tokens import Doc

from nlp.extensions import folded
from nlp.text import compile_terms

DATA_PATH = Path(__file__).with_name("data") / "question.yml"
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
def load_question_cues(path: Path = DATA_PATH) -> QuestionCues:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return QuestionCues(
        **{
            key: compile_terms(data.get(key) or [])
            for key in ("requests", "asks", "to_others", "rhetorical")
        }
    )


class QuestionDetector:
    def __init__(self, cues: QuestionCues) -> None:
        self.cues = cues

    def __call__(self, doc: Doc) -> Doc:
        doc._.question = bool(doc._.relevant) and self.cues.asks_library(folded(doc))
        return doc


@Language.factory("murmure_question", default_config={"cues_path": None})
def make_question(nlp: Language, name: str, cues_path: str | None) -> QuestionDetector:
    return QuestionDetector(load_question_cues(Path(cues_path) if cues_path else DATA_PATH))
