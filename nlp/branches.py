"""`murmure_branches`: the profile branch a post is about, and the area's places it names.

Names are matched case-, accent- and punctuation-tolerantly (« BU Pont de Bois » = « BU
Pont-de-Bois », « St Martin » = « Saint-Martin »). Besides the declared names and aliases, the
distinctive part of a name (« Europe » in « Médiathèque Europe », the surname of « Médiathèque
François Mitterrand ») counts when a library word is next to it (« the Europe branch », « la bib
Europe », « médiathèque Mitterrand »). « Le Phare » is also « au Phare », « Les Tanneries » « aux
Tanneries ». A word one typo away from a long name word (« Bellvue », « lambezelec ») is that name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from nlp.cues import CUE_FILES, cues_of, near
from nlp.datafiles import DataComponent
from nlp.extensions import folded, text_of
from nlp.text import fold

KIND_RANK = {"library": 3, "alias": 2, "core": 1}
_HEAD = re.compile(
    r"^(?:mediatheque|bibliotheque universitaire|bibliotheque|bu|library|ludotheque|bib|biblio)"
    r"(?!\w)"
    r"(?:\s+(?:de la(?!\w)|de l'|du(?!\w)|des(?!\w)|de(?!\w)|d'))?\s*"
)
_ARTICLE = re.compile(r"^(?:(?:les|le|la)\s+|l'\s*)")
_LIBRARY_WORD = re.compile(
    r"mediath|biblio|\bbib\b|\bbu\b|librar|ludoth|\bmedia\b|livres|books|\bbranch"
)
_RESIDENCE = re.compile(
    r"(?:habite|habitons|habitent|vis|vit|vivons|originaire|depuis|from|live|lives|living|"
    r"quartier)\s+(?:a|au|en|in|de|du|at)?\s*$"
)
_BRANCH_WORD = re.compile(r"(?<!\w)(?:branch|annexe|antenne|site)(?!\w)")


_CONTRACTED = {"le": r"(?:le|au|du)", "les": r"(?:les|aux|des)"}
_TOKEN = re.compile(r"\w+")
FUZZY_MIN = 7  # letters: shorter words are too close to ordinary words for a typo to be a name


def _name_pattern(name: str) -> str:
    words = [w for w in re.split(r"[\s\-']+", fold(name).replace(".", " ")) if w]
    parts = []
    for i, word in enumerate(words):
        if i == 0 and word in _CONTRACTED and len(words) > 1:
            parts.append(_CONTRACTED[word])
        elif word in ("saint", "st"):
            parts.append(r"(?:saint|st)\.?")
        elif word in ("sainte", "ste"):
            parts.append(r"(?:sainte|ste)\.?")
        else:
            parts.append(re.escape(word))
    return r"(?<!\w)" + r"[\s\-']*".join(parts) + r"(?!\w)"


@dataclass(frozen=True)
class _Name:
    branch: str
    kind: str
    pattern: re.Pattern[str]


class BranchFinder(DataComponent):
    files = CUE_FILES

    def __init__(self, branches: list[dict[str, Any]], places: list[str]) -> None:
        best: dict[str, tuple[str, str]] = {}
        for branch in branches:
            names = [branch["name"], *branch.get("aliases", [])]
            for name in names:
                kind = "library" if _LIBRARY_WORD.search(fold(name)) else "alias"
                self._keep(best, name, branch["id"], kind)
                for part in re.split(r"\s+-\s+|\s*[/,(]\s*", fold(name)):
                    core = _ARTICLE.sub("", _HEAD.sub("", part.strip(" )"))).strip()
                    if len(core) >= 3 and core != fold(name):
                        self._keep(best, core, branch["id"], "core")
                for surname in _surnames(name) if kind == "library" else ():
                    self._keep(best, surname, branch["id"], "core")
        self.names = [
            _Name(branch_id, kind, re.compile(_name_pattern(name)))
            for name, (branch_id, kind) in sorted(best.items(), key=lambda i: -len(i[0]))
        ]
        # Single long words of names, for typos: word -> (branch, kind).
        self.fuzzy = {
            name: value
            for name, value in best.items()
            if len(name) >= FUZZY_MIN and name.isalpha() and not _LIBRARY_WORD.search(name)
        }
        # Index of the names and their one-letter deletions: a typo shares one of them.
        self.near_names: dict[str, list[str]] = {}
        for name in self.fuzzy:
            for key in {name, *_deletions(name)}:
                self.near_names.setdefault(key, []).append(name)
        self.places = [(place, re.compile(_name_pattern(place))) for place in places]

    def build(self, data: Mapping[str, str]) -> None:
        self.cues = cues_of(data)

    def _typos(self, text: str, taken: list[tuple[int, int]]) -> list[tuple[int, int, str, str]]:
        """Words one edit away from a long name word (not already matched as a name)."""
        found = []
        for match in _TOKEN.finditer(text):
            word = match.group()
            if len(word) < FUZZY_MIN - 1 or word in self.fuzzy:
                continue
            start, end = match.span()
            if any(start < e and b < end for b, e in taken):
                continue
            keys = [word, *_deletions(word)]
            names = {n for key in keys for n in self.near_names.get(key, ())}
            for name in sorted(names):
                if _one_edit(word, name):
                    branch_id, kind = self.fuzzy[name]
                    found.append((start, end, branch_id, kind))
                    break
        return found

    @staticmethod
    def _keep(best: dict[str, tuple[str, str]], name: str, branch_id: str, kind: str) -> None:
        key = fold(name).strip()
        current = best.get(key)
        if current is None or KIND_RANK[kind] > KIND_RANK[current[1]]:
            best[key] = (branch_id, kind)

    def __call__(self, doc: Doc) -> Doc:
        text = folded(doc)
        library = self.cues.library_spans(text_of(doc), text)
        library += [m.span() for m in _BRANCH_WORD.finditer(text)]
        taken: list[tuple[int, int]] = []
        hits: dict[str, list[tuple[int, int, int]]] = {}  # branch -> (rank, not residence, -start)
        for name in self.names:
            for match in name.pattern.finditer(text):
                start, end = match.span()
                if any(start < e and b < end for b, e in taken):
                    continue
                if name.kind == "core" and not near(library, start, end, 20):
                    continue
                taken.append((start, end))
                residence = bool(_RESIDENCE.search(text[max(0, start - 25) : start]))
                hits.setdefault(name.branch, []).append(
                    (KIND_RANK[name.kind], int(not residence), -start)
                )
        for start, end, branch_id, kind in self._typos(text, taken):
            if kind == "core" and not near(library, start, end, 20):
                continue
            taken.append((start, end))
            hits.setdefault(branch_id, []).append((KIND_RANK[kind], 1, -start))
        doc.user_data["murmure_names"] = [list(span) for span in taken]
        if hits:
            branch = max(
                hits,
                key=lambda b: (
                    max(hits[b])[1],
                    max(hits[b])[0],
                    len(hits[b]),
                    max(h[2] for h in hits[b]),
                ),
            )
            rank = max(h[0] for h in hits[branch])
            doc._.branch = branch
            doc._.branch_kind = next(k for k, r in KIND_RANK.items() if r == rank)
        else:
            doc._.branch = None
            doc._.branch_kind = None
        doc._.places = [place for place, pattern in self.places if pattern.search(text)]
        return doc


def _surnames(name: str) -> list[str]:
    """The last word of a capitalised multi-word proper name (« Mitterrand » of « Médiathèque
    François Mitterrand »), which people use alone next to a library word."""
    found = []
    for part in re.split(r"\s+-\s+|\s*[/,(]\s*", name):
        words = [w for w in re.split(r"[\s\-']+", part.strip(" )")) if w]
        proper = [w for w in words if w[:1].isupper() and not _LIBRARY_WORD.search(fold(w))]
        if len(proper) >= 2 and words[-1] == proper[-1] and len(proper[-1]) >= 5:
            found.append(fold(proper[-1]))
    return found


def _deletions(word: str) -> list[str]:
    return [word[:i] + word[i + 1 :] for i in range(len(word))]


def _one_edit(a: str, b: str) -> bool:
    """Are `a` and `b` one insertion, deletion, substitution or transposition apart?"""
    if a == b:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = next((k for k, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), len(a))
    if len(a) < len(b):
        return a[i:] == b[i + 1 :]
    if a[i + 1 :] == b[i + 1 :]:
        return True  # substitution
    return a[i + 2 :] == b[i + 2 :] and a[i : i + 2] == b[i + 1 : i - 1 if i else None : -1]


@Language.factory("murmure_branches_v1", default_config={"branches": [], "places": []})
def make_branches(
    nlp: Language, name: str, *, branches: list[dict[str, Any]], places: list[str]
) -> BranchFinder:
    return BranchFinder(branches, places)
