"""`murmure_branches`: the profile branch a post is about, and the area's places it names.

Names are matched case-, accent- and punctuation-tolerantly (« BU Pont de Bois » = « BU
Pont-de-Bois », « St Martin » = « Saint-Martin »). Besides the declared names and aliases, the
distinctive part of a name (« Europe » in « Médiathèque Europe ») counts when a library word is
next to it (« the Europe branch », « la bib Europe »).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from nlp.cues import load_cues, near
from nlp.extensions import folded
from nlp.text import fold

KIND_RANK = {"library": 3, "alias": 2, "core": 1}
_HEAD = re.compile(
    r"^(?:mediatheque|bibliotheque universitaire|bibliotheque|bu|library|ludotheque|bib|biblio)"
    r"(?:\s+(?:de la|de l'|du|des|de|d'))?\s*"
)
_ARTICLE = re.compile(r"^(?:les|le|la|l')\s*")
_LIBRARY_WORD = re.compile(
    r"mediath|biblio|\bbib\b|\bbu\b|librar|ludoth|\bmedia\b|livres|books|\bbranch"
)
_RESIDENCE = re.compile(
    r"(?:habite|habitons|habitent|vis|vit|vivons|originaire|depuis|from|live|lives|living|"
    r"quartier)\s+(?:a|au|en|in|de|du|at)?\s*$"
)
_BRANCH_WORD = re.compile(r"(?<!\w)(?:branch|annexe|antenne|site)(?!\w)")


def _name_pattern(name: str) -> str:
    words = [w for w in re.split(r"[\s\-']+", fold(name).replace(".", " ")) if w]
    parts = []
    for word in words:
        if word in ("saint", "st"):
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


class BranchFinder:
    def __init__(self, branches: list[dict[str, Any]], places: list[str]) -> None:
        self.cues = load_cues()
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
        self.names = [
            _Name(branch_id, kind, re.compile(_name_pattern(name)))
            for name, (branch_id, kind) in sorted(best.items(), key=lambda i: -len(i[0]))
        ]
        self.places = [(place, re.compile(_name_pattern(place))) for place in places]

    @staticmethod
    def _keep(best: dict[str, tuple[str, str]], name: str, branch_id: str, kind: str) -> None:
        key = fold(name).strip()
        current = best.get(key)
        if current is None or KIND_RANK[kind] > KIND_RANK[current[1]]:
            best[key] = (branch_id, kind)

    def __call__(self, doc: Doc) -> Doc:
        text = folded(doc)
        library = self.cues.library_spans(doc.text, text)
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


@Language.factory("murmure_branches", default_config={"branches": [], "places": []})
def make_branches(
    nlp: Language, name: str, *, branches: list[dict[str, Any]], places: list[str]
) -> BranchFinder:
    return BranchFinder(branches, places)
