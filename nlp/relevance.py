"""`murmure_relevance`: is the post about a library of the profiled network at all?

A post is relevant when it uses library vocabulary in its library sense (not « ma bibliothèque
Python », not a phone's « médiathèque »), names a branch by a library name, mentions the library's
own account or hashtags — or, since posts come from the library's own listeners, talks about a
library matter (a non-generic topic: « la multiprise de l'espace numérique a disparu ») and is not
placed elsewhere (a hotel, a match, a holiday, a train) nor about code.
A library explicitly in another city, with nothing of the profile's area, is not relevant; nor is
a post whose library words all have another sense (« ma bibliothèque Steam », a « BU » at work).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from spacy.language import Language
from spacy.tokens import Doc

from nlp.cues import CUE_FILES, cues_of
from nlp.datafiles import DataComponent
from nlp.extensions import folded, text_of
from nlp.text import compile_terms, fold


class RelevanceJudge(DataComponent):
    files = CUE_FILES

    def __init__(
        self,
        *,
        local_names: list[str],
        own_handles: list[str],
        hashtags: list[str],
        exclude_terms: list[str],
    ) -> None:
        self.local_names = local_names
        self.exclude = compile_terms(exclude_terms)
        marks = [f"@{h.lstrip('@')}" for h in own_handles] + [f"#{t.lstrip('#')}" for t in hashtags]
        self.own = (
            re.compile("|".join(re.escape(fold(m)) + r"(?![\w-])" for m in marks))
            if marks
            else None
        )

    def build(self, data: Mapping[str, str]) -> None:
        self.cues = cues_of(data)
        local = {fold(name) for name in self.local_names}
        self.cities = compile_terms(c for c in self.cues.cities if fold(c) not in local)

    def __call__(self, doc: Doc) -> Doc:
        text = folded(doc)
        library, other_sense = self.cues.library_words(text_of(doc), text)
        doc._.library_cues = [list(span) for span in library]
        doc._.relevant = self._judge(doc, text, bool(library), other_sense)
        return doc

    def _judge(self, doc: Doc, text: str, library: bool, other_sense: bool) -> bool:
        if self.exclude and self.exclude.search(text):
            return False
        local = doc._.branch is not None or bool(doc._.places)
        if not local and self._other_city(text_of(doc), text):
            return False  # another city's library
        if library or doc._.branch_kind == "library" or (self.own and self.own.search(text)):
            return True
        if other_sense:
            return False  # « ma bibliothèque Spotify est un bazar »: about the other thing
        # No library word: posts reach Murmure through the library's own listeners, so a post about
        # a library matter (a non-generic topic) is taken as the library's, unless it is placed
        # somewhere else (hotel, stadium, train...) or is about code.
        topics = set(doc._.topics or {})
        if doc._.branch is None:
            topics -= self.cues.weak_topics
        if not topics:
            return False
        if self.cues.elsewhere and self.cues.elsewhere.search(text):
            return False
        return not (self.cues.tech and self.cues.tech.search(text))

    def _other_city(self, original: str, text: str) -> bool:
        # Names are capitalised: « 33 tours » is a record, « Tours » a city.
        return (
            any(original[m.start()].isupper() for m in self.cities.finditer(text))
            if self.cities
            else False
        )


@Language.factory(
    "murmure_relevance_v1",
    default_config={"local_names": [], "own_handles": [], "hashtags": [], "exclude_terms": []},
)
def make_relevance(
    nlp: Language,
    name: str,
    *,
    local_names: list[str],
    own_handles: list[str],
    hashtags: list[str],
    exclude_terms: list[str],
) -> RelevanceJudge:
    return RelevanceJudge(
        local_names=local_names,
        own_handles=own_handles,
        hashtags=hashtags,
        exclude_terms=exclude_terms,
    )
