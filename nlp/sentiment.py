"""`murmure_sentiment`: polarity towards the library, from a lexicon with rules.

Why rules and not a model: posts are short, the vocabulary of library problems is narrow, and every
decision can be explained to staff. The rules, in order:
- lexicon words (nlp/data/sentiment.yml) weigh -3..+3; longer phrases win over their words;
- a negator in the three words before a word, in the same clause, flips it (« pas propre »,
  « pas de souci »); « plus » negates only with « ne » (« ne marche plus » but « plus calme »),
  « moins » right before a word lowers it (« moins bon »);
- a negated problem is a relief (« pas impossible », « n'est plus en panne »);
- an intensifier before it multiplies it by 1.5 (« très sale », « super pratique »);
- reports of things going wrong (« en panne », « annulé ») and of absence (« pas de wifi »,
  « no sockets ») weigh -2 and mark the post as reporting a problem; the absence of a nuisance
  is praise (« aucun bruit », « pas d'amende », « fin des pénalités »), and praise inside an
  absence is part of it (« aucune prise dispo »);
- a plain question (one « ? ») is neutral in its last clause: its words ask, they do not judge;
  what comes before it in the sentence is a statement (« plus une chaise, on fait comment ? »);
  rhetorical questions (« c'est normal que… ? », « pourquoi… ? », « on en parle ? ») and « ?? »,
  « ?! » are indignation and report a problem;
- clauses about the poster's home or own device don't count against the library;
- before « mais » / « but », evaluations count half: what follows is what counts;
- praise words turn to blame when the post carries a sarcasm emoji (🙃 🙄) or reports a problem
  and the praise stands alone (« génial. », « Bravo la médiathèque », « merci l'info »);
- thanks closing a question and requests (« merci de réparer ») are courtesy; set phrases weigh
  nothing (« pas mal de monde », « dans la limite des places »); problems in an announcement
  (« coupure pour maintenance », « nos équipes sont mobilisées ») or said to be fixed are
  information;
- emojis add ±1 each (at most 2); blaming oneself or something outside the library -1.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal

import yaml
from spacy.language import Language
from spacy.tokens import Doc

from nlp.datafiles import DATA_DIR, DataComponent
from nlp.extensions import folded, text_of
from nlp.text import compile_terms, fold

LEXICON = "sentiment.yml"
_SENTENCE = re.compile(r"[^.!?…\n]+[.!?…\n]*|[.!?…\n]+")
_WORD = re.compile(r"[\w']+")
# Negation does not cross a clause: « n'y peuvent rien mais on caille » stays negative.
_CLAUSE = re.compile(r".*(?:[,;:()]|(?<!\w)(?:mais|but|et|and|car|puis|donc|alors|sauf que)(?!\w))")
_COUNTED = re.compile(r"(?:un|une|qu'un|qu'une|\d)(?!\w)")
_CONTRAST = re.compile(
    r"(?<!\w)(?:mais|but|sauf que|par contre|cependant|pourtant|however|except that)(?!\w)"
)
_CLAUSE_MARK = re.compile(r"[,;:()]|(?<!\w)(?:mais|but)(?!\w)")
_ARTICLE = re.compile(
    r"(?:(?:(?:le|la|les|du|des|de|un|une|the|a|an|any|single)\s+)|(?:l'|d')\s*)*"
)


# What matched, and what weighing made of it: a lexicon word, a problem report, an absence
# (« pas de wifi »), an ending (« fin des pénalités »); then "relief" (an absent nuisance, a
# negated problem), "consumed" (a word that belongs to an earlier hit) or "lexicon-flipped" (a
# negated negative word).
HitKind = Literal["lexicon", "problem", "lack", "ending", "relief", "consumed", "lexicon-flipped"]


@dataclass
class _Hit:
    start: int
    end: int
    weight: float
    kind: HitKind


@dataclass(frozen=True)
class _Sentence:
    start: int
    end: int
    question: bool
    home: bool
    words: int
    asked: int  # where the asking clause of a question starts
    rhetorical: bool


class SentimentScorer(DataComponent):
    files: ClassVar[dict[str, Path]] = {LEXICON: DATA_DIR / LEXICON}

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def build(self, data: Mapping[str, str]) -> None:
        lexicon: dict[str, Any] = yaml.safe_load(data[LEXICON])
        entries = lexicon["en" if self.lang == "en" else "fr"]
        self.weighted: list[tuple[float, re.Pattern[str]]] = []
        for sign, key in ((1, "positive"), (-1, "negative")):
            for weight, terms in entries[key].items():
                pattern = compile_terms(terms)
                if pattern:
                    self.weighted.append((sign * float(weight), pattern))
        neutral = compile_terms(entries.get("neutral", []))
        if neutral:
            self.weighted.insert(0, (0.0, neutral))  # first: wins ties with a lexicon word
        self.problem = compile_terms(entries["problem"])
        self.lack = compile_terms(entries["lack"])
        self.negators = {fold(w) for w in entries["negators"]}
        self.not_alone = frozenset(fold(w) for w in lexicon["clause"]["not_alone"])
        self.comparative = frozenset(fold(w) for w in lexicon["clause"]["comparative"])
        self.intensifiers = {fold(w) for w in entries["intensifiers"]}
        self.ironic = compile_terms(entries["ironic"])
        self.excuses = compile_terms(entries["excuses"])
        self.home = compile_terms(entries["home"])
        self.courtesy = compile_terms(entries.get("courtesy", []))
        self.announce = compile_terms(entries.get("announce", []))
        self.rhetorical = compile_terms(entries.get("rhetorical", []))
        self.nuisance = compile_terms(entries.get("nuisance", []))
        self.request = compile_terms(entries.get("request", []))
        self.resolved = compile_terms(entries.get("resolved", []))
        self.ending = compile_terms(entries.get("ending", []))
        emoji = lexicon["emoji"]
        self.emoji_pos = set(emoji["positive"]) - {"\ufe0f"}
        self.emoji_neg = set(emoji["negative"]) - {"\ufe0f"}
        self.sarcasm = set(emoji["sarcasm"])

    def __call__(self, doc: Doc) -> Doc:
        text = folded(doc)
        sentences = self._sentences(text)
        hits = self._hits(text)
        sarcastic = any(char in self.sarcasm for char in text_of(doc))
        asks = any(s.question for s in sentences)
        announced = bool(self.announce and self.announce.search(text))
        resolved = self._resolved(text)
        total = 0.0
        service = 0.0  # negativity that is not a mere feeling (« je déteste réviser »)
        problem = False
        for sentence in sentences:
            if sentence.rhetorical:
                total, service, problem = total - 2, service - 2, True
        ironic: list[_Hit] = []
        starts = {hit.start: hit for hit in hits}
        for hit in hits:
            sentence = next(s for s in sentences if s.start <= hit.start < s.end)
            # Before the asking clause of a question, only reports count: « la salle silencieuse,
            # c'est où ? » names a room, « plus une chaise, on fait comment ? » reports.
            asking = sentence.question and (hit.start >= sentence.asked or hit.weight > 0)
            if asking or (sentence.home and hit.weight < 0):
                continue
            if (announced and hit.weight < 0) or (resolved and hit.kind in ("problem", "lack")):
                continue
            if hit.kind == "consumed" or (self.request and self.request.match(text, hit.start)):
                continue
            if asks and self.courtesy and self.courtesy.fullmatch(text, hit.start, hit.end):
                continue
            weight = self._weigh(hit, text, sentence, starts)
            if weight is None:
                continue
            # A problem: reports, absences, service words (weight 2+), negated praise (« pas
            # propre »); not an intensified feeling (« trop triste »).
            feeling = hit.kind == "lexicon" and -2 < hit.weight < 0
            if weight <= -1.5 and hit.kind != "lexicon-flipped" and not feeling:
                problem = True
            if hit.kind == "lexicon" and _CONTRAST.search(text, hit.end, sentence.end):
                weight /= 2  # « j'adore venir mais… »: what follows « mais » is what counts
            if weight > 0 and self.ironic and self.ironic.fullmatch(text, hit.start, hit.end):
                ironic.append(hit)
            total += weight
            if weight < 0 and not (hit.kind == "lexicon" and (weight > -1.5 or feeling)):
                service += weight
        for hit in ironic:
            sentence = next(s for s in sentences if s.start <= hit.start < s.end)
            alone = sentence.words <= 5 or hit.start < 12 or _clause_words(text, hit) <= 3
            if not resolved and (sarcastic or (problem and alone)):
                total -= 2 * hit.weight
                service -= hit.weight
        total += min(2, sum(char in self.emoji_pos for char in text_of(doc)))
        negative_emojis = min(2, sum(char in self.emoji_neg for char in text_of(doc)))
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
            asked = match.start()
            if question:
                marks = list(_CLAUSE_MARK.finditer(body.rstrip(".!?…\n ")))
                asked += marks[-1].end() if marks else 0
            rhetorical = question and bool(self.rhetorical and self.rhetorical.search(body))
            out.append(
                _Sentence(
                    match.start(),
                    match.end(),
                    question and not rhetorical,
                    home,
                    len(_WORD.findall(body)),
                    asked,
                    rhetorical,
                )
            )
        return out or [_Sentence(0, len(text) + 1, False, False, 0, 0, False)]

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
        if self.ending:
            hits += [_Hit(*m.span(), 0.0, "ending") for m in self.ending.finditer(text)]
        # Longest first, then keep only hits that don't overlap a longer one.
        hits.sort(key=lambda h: (h.start - h.end, h.start))
        kept: list[_Hit] = []
        for hit in hits:
            if all(hit.end <= k.start or hit.start >= k.end for k in kept):
                kept.append(hit)
        return sorted(kept, key=lambda h: h.start)

    def _weigh(
        self, hit: _Hit, text: str, sentence: _Sentence, starts: dict[int, _Hit]
    ) -> float | None:
        window = text[max(sentence.start, hit.start - 30) : hit.start]
        clause = _WORD.findall(_CLAUSE.sub("", window))
        before = clause[-3:]
        if hit.kind in ("lack", "ending"):
            after = text[hit.end : hit.end + 40]
            nxt = _WORD.match(after.lstrip())
            if nxt is None or nxt.group().isdigit():
                return None
            word = hit.end + len(after) - len(after.lstrip())
            noun = _ARTICLE.match(text, word)
            offset = noun.end() if noun else word
            following = starts.get(offset) or starts.get(word)
            if self.nuisance and self.nuisance.match(text, offset):
                # The absent nuisance and its complements (« pénalités de retard ») are relief.
                stop = _CLAUSE_MARK.search(text, hit.end)
                end = min(hit.end + 25, stop.start() if stop else len(text))
                for later in starts.values():
                    if later.weight < 0 and hit.end <= later.start < end:
                        later.kind = "consumed"
                hit.kind = "relief"
                return 1.5  # « aucun bruit », « pas d'amende », « fin des pénalités »
            if hit.kind == "ending":
                return None
            if following is not None and following.weight < 0:
                return None  # « pas de problème »: the negated word carries the polarity
            for later in starts.values():
                # « aucune prise dispo »: the praise word belongs to the absence.
                inside = later.weight > 0 and 0 < later.start - hit.end < 30
                if (
                    inside
                    and later.kind == "lexicon"
                    and not _CLAUSE_MARK.search(text, hit.end, later.start)
                ):
                    later.kind = "consumed"
            return hit.weight
        if hit.kind == "problem":
            negated = before and before[-1] in self.negators - self.not_alone
            # « pas impossible » is a relief; « pas une seule prise qui marche » is not.
            if negated and self._negated(before, clause) and not _COUNTED.match(text, hit.start):
                hit.kind = "relief"
                return 1.0  # « pas impossible », « n'est plus en panne »
            return hit.weight
        weight = hit.weight
        if before and fold(before[-1]) in self.intensifiers:
            weight *= 1.5
        if self._negated(before, clause):
            # « pas propre » blames as much as « sale »; « pas de souci » praises less than
            # « super ».
            if weight > 0:
                return -(weight + 0.5)
            hit.kind = "lexicon-flipped"
            return -0.75 * weight
        if (
            len(clause) >= 1
            and clause[-1] in ("moins", "less")
            and (len(clause) < 2 or clause[-2] not in ("au", "du", "at"))
        ):
            return -weight  # « moins bon », « less reliable »
        return weight

    def _resolved(self, text: str) -> bool:
        """Does the post say the problem is fixed (and not « toujours pas rétabli »)?"""
        for match in self.resolved.finditer(text) if self.resolved else ():
            before = _WORD.findall(
                _CLAUSE.sub("", text[max(0, match.start() - 30) : match.start()])
            )
            if not any(w in self.negators or w.endswith("n't") for w in before[-3:]):
                return True
        return False

    def _negated(self, before: list[str], clause: list[str]) -> bool:
        found = [w for w in before if w in self.negators or w.endswith("n't")]
        if found and all(w == "plus" for w in found):
            # « plus » compares after « bien », « beaucoup », « le »… (« bien plus calme »), else
            # negates, « ne » or not (« c'est plus propre du tout »).
            at = len(clause) - 1 - clause[::-1].index("plus")
            return not (at > 0 and clause[at - 1] in self.comparative)
        return bool(found)


def _clause_words(text: str, hit: _Hit) -> int:
    """Words of the clause holding `hit` (« merci l'info » after a problem stands alone)."""
    starts = [m.end() for m in _CLAUSE_MARK.finditer(text, 0, hit.start)]
    start = max([0, *starts, *(i + 1 for i in range(hit.start) if text[i] in ".!?…\n")])
    end_mark = _CLAUSE_MARK.search(text, hit.end)
    end = end_mark.start() if end_mark else len(text)
    stop = re.search(r"[.!?…\n]", text[hit.end : end])
    end = hit.end + stop.start() if stop else end
    return len(_WORD.findall(text[start:end]))


@Language.factory("murmure_sentiment_v1", default_config={})
def make_sentiment(nlp: Language, name: str) -> SentimentScorer:
    return SentimentScorer(nlp.lang or "fr")
