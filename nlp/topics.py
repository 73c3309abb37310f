"""`murmure_topics`: which taxonomy topics a post talks about, with the evidence spans."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

from spacy.language import Language
from spacy.tokens import Doc

from config.patterns import SafePattern
from config.taxonomy import TAXONOMY_PATH, parse_taxonomy
from nlp.datafiles import DataComponent
from nlp.extensions import folded
from nlp.text import compile_terms, fold

Span = tuple[int, int]


class TopicTagger(DataComponent):
    """Phrase and pattern matches on the folded text, lemma matches on tokens; other senses
    (« prise de sang ») and branch names (« le bus des livres ») veto overlapping evidence;
    generic words (« livres ») count only when the topics they yield to are absent."""

    files: ClassVar[dict[str, Path]] = {TAXONOMY_PATH.name: TAXONOMY_PATH}

    def __init__(
        self,
        lang: str,
        extra_topics: list[dict[str, Any]],
        extra_terms: dict[str, dict[str, list[str]]],
    ) -> None:
        self.lang = lang
        self.extra_topics = extra_topics
        self.extra_terms = extra_terms

    def build(self, data: Mapping[str, str]) -> None:
        """The shipped taxonomy extended by the profile's topics and terms, compiled."""
        shipped = parse_taxonomy(data[TAXONOMY_PATH.name])
        taxonomy = shipped.extended(self.extra_topics, self.extra_terms)
        lang = self.lang
        self.taxonomy = taxonomy
        self.phrases: list[tuple[str, re.Pattern[str]]] = []
        self.profile_patterns: list[tuple[str, SafePattern]] = []
        self.generic: list[tuple[str, re.Pattern[str], frozenset[str]]] = []
        self.excludes: dict[str, re.Pattern[str]] = {}
        self.lemmas: dict[str, list[str]] = {}
        for topic in taxonomy.topics:
            terms = topic.terms(lang)
            pattern = compile_terms([*terms.phrases, *(f"re:{p}" for p in terms.patterns)])
            if pattern:
                self.phrases.append((topic.id, pattern))
            if terms.profile_patterns:
                own = "|".join(f"(?:{p})" for p in terms.profile_patterns)
                self.profile_patterns.append((topic.id, SafePattern(own)))
            generic = compile_terms(terms.generic)
            if generic:
                self.generic.append((topic.id, generic, frozenset(topic.generic_unless)))
            exclude = compile_terms(topic.exclude)
            if exclude:
                self.excludes[topic.id] = exclude
            for lemma in terms.lemmas:
                self.lemmas.setdefault(fold(lemma), []).append(topic.id)

    def __call__(self, doc: Doc) -> Doc:
        text = folded(doc)
        protected: list[Span] = [tuple(s) for s in doc.user_data.get("murmure_names", [])]
        found: dict[str, list[Span]] = {}
        for topic_id, pattern in self.phrases:
            for match in pattern.finditer(text):
                found.setdefault(topic_id, []).append(match.span())
        for topic_id, safe in self.profile_patterns:
            for span in safe.spans(text):
                found.setdefault(topic_id, []).append(span)
        if self.lemmas:
            for token in doc:
                for topic_id in self.lemmas.get(fold(token.lemma_ or token.lower_), ()):
                    found.setdefault(topic_id, []).append((token.idx, token.idx + len(token)))
        for topic_id, pattern, unless in self.generic:
            if not unless & found.keys():
                for match in pattern.finditer(text):
                    found.setdefault(topic_id, []).append(match.span())
        topics: dict[str, list[list[int]]] = {}
        for topic_id, spans in found.items():
            vetoes = protected + [m.span() for m in self._excluded(topic_id, text)]
            kept = sorted({s for s in spans if not any(s[0] < e and b < s[1] for b, e in vetoes)})
            if kept:
                topics[topic_id] = [list(s) for s in kept]
        doc._.topics = topics
        return doc

    def _excluded(self, topic_id: str, text: str) -> list[re.Match[str]]:
        pattern = self.excludes.get(topic_id)
        return list(pattern.finditer(text)) if pattern else []


@Language.factory(
    "murmure_topics_v1",
    default_config={"extra_topics": [], "extra_terms": {}},
)
def make_topics(
    nlp: Language,
    name: str,
    *,
    extra_topics: list[dict[str, Any]],
    extra_terms: dict[str, dict[str, list[str]]],
) -> TopicTagger:
    return TopicTagger(nlp.lang or "fr", extra_topics, extra_terms)
