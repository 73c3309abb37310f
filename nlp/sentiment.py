"""`murmure_sentiment`: polarity towards the library, from a lexicon with rules.

Why rules and not a model: posts are short, the vocabulary of library problems is narrow, and every
decision can be explained to staff. The rules, in order:
- lexicon words (nlp/data/sentiment.yml) weigh -3..+3; longer phrases win over their words;
- a negator in the three words before a word, in the same clause, flips it (« pas propre »,
  « pas de souci »);
- an intensifier before it multiplies it by 1.5 (« très sale », « super pratique »);
- reports of things going wrong (« en panne », « annulé ») and of absence (« pas de wifi »,
  « no sockets ») weigh -2 and mark the post as reporting a problem;
- a plain question (one « ? ») is neutral: its words ask, they do not judge; « ?? », « ?! » are
  indignation and keep their weight;
- clauses about the poster's home or own device don't count against the library;
- praise words turn to blame when the post carries a sarcasm emoji (🙃 🙄) or reports a problem
  and the praise stands alone (« génial. », « Bravo la médiathèque »);
- thanks closing a question are courtesy; problems in an announcement (« coupure pour
  maintenance ») are information;
- emojis add ±1 each (at most 2); blaming oneself or something outside the library -1.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from spacy.language import Language
from spacy.tokens import Doc

from nlp.extensions import folded
from nlp.text import compile_terms, fold

LEXICON_PATH = Path(__file__).with_name("data") / "sentiment.yml"
_SENTENCE = re.compile(r"[^.!?…\n]+[.!?…\n]*|[.!?…\n]+")
_WORD = re.compile(r"[\w']+")
# Negation does not cross a clause: « n'y peuvent rien mais on caille » stays negative.
_CLAUSE = re.compile(r".*(?:[,;:()]|(?<!\w)(?:mais|but|et|and|car|puis|donc|alors|sauf que)(?!\w))")


@dataclass
class _Hit:
    start: int
    end: int
    weight: float
    kind: str  # "lexicon" | "problem" | "lack"


@dataclass(frozen=True)
class _Sentence:
    start: int
    end: int
    question: bool
    home: bool
    words: int


@lru_cache(maxsize=4)
def load_lexicon(path: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(Path(path or LEXICON_PATH).read_text(encoding="utf-8"))
    return data


class SentimentScorer:
    def __init__(self, lexicon: dict[str, Any], lang: str) -> None:
        entries = lexicon["en" if lang == "en" else "fr"]
        self.weighted: list[tuple[float, re.Pattern[str]]] = []
        for sign, key in ((1, "positive"), (-1, "negative")):
            for weight, terms in entries[key].items():
                pattern = compile_terms(terms)
                if pattern:
                    self.weighted.append((sign * float(weight), pattern))
        self.problem = compile_terms(entries["problem"])
        self.lack = compile_terms(entries["lack"])
        self.negators = {fold(w) for w in entries["negators"]}
        self.intensifiers = {fold(w) for w in entries["intensifiers"]}
        self.ironic = compile_terms(entries["ironic"])
        self.excuses = compile_terms(entries["excuses"])
        self.home = compile_terms(entries["home"])
        self.courtesy = compile_terms(entries.get("courtesy", []))
        self.announce = compile_terms(entries.get("announce", []))
        emoji = lexicon["emoji"]
        self.emoji_pos = set(emoji["positive"]) - {"\ufe0f"}
        self.emoji_neg = set(emoji["negative"]) - {"\ufe0f"}
        self.sarcasm = set(emoji["sarcasm"])

    def __call__(self, doc: Doc) -> Doc:
        text = folded(doc)
        sentences = self._sentences(text)
        hits = self._hits(text)
        sarcastic = any(char in self.sarcasm for char in doc.text)
        asks = any(s.question for s in sentences)
        announced = bool(self.announce and self.announce.search(text))
        total = 0.0
        service = 0.0  # negativity that is not a mere feeling (« je déteste réviser »)
        problem = False
        ironic: list[tuple[_Hit, _Sentence]] = []
        for hit in hits:
            sentence = next(s for s in sentences if s.start <= hit.start < s.end)
            if sentence.question or (sentence.home and hit.weight < 0):
                continue
            if announced and hit.kind in ("problem", "lack"):
                continue
            if asks and self.courtesy and self.courtesy.fullmatch(text, hit.start, hit.end):
                continue
            weight = self._weigh(hit, text, sentence)
            if weight is None:
                continue
            if weight <= -1.5 and hit.kind != "lexicon-flipped":
                problem = True
            if weight > 0 and self.ironic and self.ironic.fullmatch(text, hit.start, hit.end):
                ironic.append((hit, sentence))
            total += weight
            if weight < 0 and not (hit.kind == "lexicon" and weight > -1.5):
                service += weight
        for hit, sentence in ironic:
            if sarcastic or (problem and (sentence.words <= 5 or hit.start < 12)):
                total -= 2 * hit.weight
                service -= hit.weight
        total += min(2, sum(char in self.emoji_pos for char in doc.text))
        negative_emojis = min(2, sum(char in self.emoji_neg for char in doc.text))
        total -= negative_emojis
        service -= negative_emojis
        excused = bool(self.excuses and self.excuses.search(text))
        total -= excused
        label = "negative" if total <= -1 else "positive" if total >= 1 else "neutral"
        doc._.sentiment = label
        doc._.sentiment_score = round(math.tanh(total / 4), 3)
        doc._.problem = problem or (service < 0 and bool(doc._.topics))
        doc._.excused = excused
        return doc

    def _sentences(self, text: str) -> list[_Sentence]:
        out = []
        for match in _SENTENCE.finditer(text):
            body = match.group()
            tail = body[len(body.rstrip(".!?…\n ")) :]
            question = "?" in tail and "??" not in tail and "!" not in tail
            home = bool(self.home and self.home.search(body))
            out.append(
                _Sentence(match.start(), match.end(), question, home, len(_WORD.findall(body)))
            )
        return out or [_Sentence(0, len(text) + 1, False, False, 0)]

    def _hits(self, text: str) -> list[_Hit]:
        hits = [
            _Hit(*m.span(), weight, "lexicon")
            for weight, pattern in self.weighted
            for m in pattern.finditer(text)
        ]
        if self.problem:
            hits += [_Hit(*m.span(), -2.0, "problem") for m in self.problem.finditer(text)]
        if self.lack:
            hits += [_Hit(*m.span(), -2.0, "lack") for m in self.lack.finditer(text)]
        # Longest first, then keep only hits that don't overlap a longer one.
        hits.sort(key=lambda h: (h.start - h.end, h.start))
        kept: list[_Hit] = []
        for hit in hits:
            if all(hit.end <= k.start or hit.start >= k.end for k in kept):
                kept.append(hit)
        return sorted(kept, key=lambda h: h.start)

    def _weigh(self, hit: _Hit, text: str, sentence: _Sentence) -> float | None:
        window = text[max(sentence.start, hit.start - 30) : hit.start]
        before = _WORD.findall(_CLAUSE.sub("", window))[-3:]
        if hit.kind == "lack":
            after = text[hit.end : hit.end + 25]
            nxt = _WORD.match(after.lstrip())
            if nxt is None or nxt.group().isdigit():
                return None
            return hit.weight
        if hit.kind == "problem":
            return hit.weight
        weight = hit.weight
        if before and fold(before[-1]) in self.intensifiers:
            weight *= 1.5
        if any(w in self.negators or w.endswith("n't") for w in before):
            # « pas propre » blames as much as « sale »; « pas de souci » praises less than
            # « super ».
            if weight > 0:
                return -(weight + 0.5)
            hit.kind = "lexicon-flipped"
            return -0.75 * weight
        return weight


@Language.factory("murmure_sentiment", default_config={"lexicon_path": None})
def make_sentiment(nlp: Language, name: str, *, lexicon_path: str | None) -> SentimentScorer:
    return SentimentScorer(load_lexicon(lexicon_path), nlp.lang or "fr")
