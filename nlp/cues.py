"""Library vocabulary, other senses of it, and other places: the data of relevance and branches."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import yaml

from nlp.datafiles import DATA_DIR
from nlp.text import compile_terms

RELEVANCE, CITIES = "relevance.yml", "cities.txt"
CUE_FILES = {RELEVANCE: DATA_DIR / RELEVANCE, CITIES: DATA_DIR / CITIES}


@dataclass(frozen=True)
class Cues:
    library: re.Pattern[str]
    library_cased: re.Pattern[str] | None
    other_senses: re.Pattern[str] | None
    tech: re.Pattern[str] | None
    elsewhere: re.Pattern[str] | None
    weak_topics: frozenset[str]
    cities: tuple[str, ...]
    corporate: re.Pattern[str] | None = None

    def library_spans(self, text: str, folded: str) -> list[tuple[int, int]]:
        """Library words of `text` that do mean a library (other senses removed)."""
        return self.library_words(text, folded)[0]

    def library_words(self, text: str, folded: str) -> tuple[list[tuple[int, int]], bool]:
        """Library words that mean a library, and whether some were dropped as other senses."""
        spans = [m.span() for m in self.library.finditer(folded)]
        found = len(spans)
        if self.library_cased:
            cased = [m.span() for m in self.library_cased.finditer(text)]
            if cased and self.corporate and self.corporate.search(folded):
                cased = []  # « réunion de BU », « ma boîte »: a business unit
            found += len(cased)
            spans += cased
        if spans and self.other_senses:
            senses = [m.span() for m in self.other_senses.finditer(folded)]
            spans = [s for s in spans if not any(s[0] < e and b < s[1] for b, e in senses)]
        if spans and self.tech and self.tech.search(folded):
            # « bibliothèque » / « library » next to code vocabulary is a software library.
            spans = [s for s in spans if not _generic_word(folded[s[0] : s[1]])]
        return spans, len(spans) < found


def _generic_word(word: str) -> bool:
    return word.startswith(("bibliotheque", "librar"))


def cues_of(data: Mapping[str, str]) -> Cues:
    """The cues of the `CUE_FILES` texts, by name."""
    return _cues(data[RELEVANCE], data[CITIES])


@lru_cache(maxsize=4)
def _cues(relevance: str, cities_text: str) -> Cues:
    # Cached on the texts: the relevance and branch components of both languages share one.
    data = yaml.safe_load(relevance)
    library = compile_terms(data["library"])
    assert library is not None
    cased = data.get("library_cased") or []
    cities = tuple(
        line.strip()
        for line in cities_text.splitlines()
        if line.strip() and not line.startswith("#")
    )
    return Cues(
        library=library,
        library_cased=re.compile("|".join(f"(?:{c})" for c in cased)) if cased else None,
        other_senses=compile_terms(data.get("other_senses") or []),
        tech=compile_terms(data.get("tech") or []),
        elsewhere=compile_terms(data.get("elsewhere") or []),
        weak_topics=frozenset(data.get("weak_topics") or []),
        cities=cities,
        corporate=compile_terms(data.get("corporate") or []),
    )


def near(spans: list[tuple[int, int]], start: int, end: int, window: int) -> bool:
    """Is one of `spans` within `window` characters of [start, end)?"""
    return any(b < end + window and e > start - window for b, e in spans)
