"""The topic taxonomy: data in `taxonomy.yml`, extendable by a library profile without code.

Configuration shared by the stages: the profile extends it and its alert rules name its topics,
the NLP stage tags with it, summaries and the review spreadsheet label its topics. Light on
purpose (pyyaml + pydantic only): validating a profile does not load spaCy.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

TAXONOMY_PATH = Path(__file__).with_name("taxonomy.yml")
LANGS = ("fr", "en")


class LanguageTerms(BaseModel):
    """How one topic shows in one language."""

    model_config = ConfigDict(extra="forbid")

    lemmas: list[str] = Field(default_factory=list)
    phrases: list[str] = Field(default_factory=list)
    patterns: list[str] = Field(default_factory=list)
    # Generic words (« livres » for collections): evidence only when none of the topic's
    # `generic_unless` topics is found (« emprunter des livres » is about loans).
    generic: list[str] = Field(default_factory=list)
    # A profile's `re:` terms, run by RE2 (`config.patterns`): no pattern there can hang a post.
    profile_patterns: list[str] = Field(default_factory=list)

    def merged(self, terms: list[str]) -> LanguageTerms:
        """A profile's terms: phrases, and `re:` patterns kept apart for the safe engine."""
        own = [term.strip()[3:].strip() for term in terms if term.strip().startswith("re:")]
        phrases = [term for term in terms if not term.strip().startswith("re:")]
        return self.model_copy(
            update={
                "phrases": [*self.phrases, *phrases],
                "profile_patterns": [*self.profile_patterns, *own],
            }
        )


class Topic(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    label: str = ""
    fr: LanguageTerms = Field(default_factory=LanguageTerms)
    en: LanguageTerms = Field(default_factory=LanguageTerms)
    exclude: list[str] = Field(default_factory=list)
    generic_unless: list[str] = Field(default_factory=list)

    def terms(self, lang: str) -> LanguageTerms:
        return self.en if lang == "en" else self.fr


class Taxonomy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = 1
    topics: list[Topic]

    @property
    def topic_ids(self) -> list[str]:
        return [topic.id for topic in self.topics]

    def digest(self) -> str:
        """Short hash of the effective taxonomy, part of the pipeline version (provenance)."""
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()[:10]

    def extended(
        self,
        extra: Sequence[Mapping[str, Any]] | None = None,
        terms: Mapping[str, Mapping[str, list[str]]] | None = None,
    ) -> Taxonomy:
        """The taxonomy plus a profile's extra topics and extra terms (phrases, `re:` patterns)."""
        topics = {topic.id: topic for topic in self.topics}
        for item in extra or []:
            topic_id = str(item["id"])
            base = topics.get(topic_id, Topic(id=topic_id, label=str(item.get("label", ""))))
            topics[topic_id] = _with_terms(base, item)
        for topic_id, more in (terms or {}).items():
            if topic_id not in topics:
                raise ValueError(f"unknown topic {topic_id!r} in the profile's topics.terms")
            topics[topic_id] = _with_terms(topics[topic_id], more)
        return Taxonomy(version=self.version, topics=list(topics.values()))


def _with_terms(topic: Topic, more: Mapping[str, Any]) -> Topic:
    return topic.model_copy(
        update={lang: topic.terms(lang).merged(list(more.get(lang) or [])) for lang in LANGS}
    )


@lru_cache(maxsize=8)
def parse_taxonomy(text: str) -> Taxonomy:
    """The taxonomy written in `text` (a `taxonomy.yml`); cached, so call it freely."""
    data = yaml.safe_load(text)
    topics = [{"id": topic_id, **(body or {})} for topic_id, body in data["topics"].items()]
    return Taxonomy(version=int(data.get("version", 1)), topics=topics)


def load_taxonomy(path: Path | str | None = None) -> Taxonomy:
    """The shipped taxonomy (or the one at `path`)."""
    return parse_taxonomy(Path(path or TAXONOMY_PATH).read_text(encoding="utf-8"))
