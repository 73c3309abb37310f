"""The summary's words (`messages.yml`) and topic and branch names in the reader's language."""

from functools import lru_cache
from importlib.resources import files
from typing import Any

import yaml

from config.profile import Profile


@lru_cache(maxsize=1)
def _catalogue() -> dict[str, Any]:
    text = files("summaries").joinpath("messages.yml").read_text(encoding="utf-8")
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


def messages(language: str) -> dict[str, str]:
    catalogue = _catalogue()
    if language not in catalogue:
        raise ValueError(f"no summary messages for language {language!r} (have: fr, en)")
    return dict(catalogue[language])


def topic_labels(profile: Profile, language: str) -> dict[str, str]:
    from config.taxonomy import load_taxonomy

    labels = {topic.id: topic.label or topic.id for topic in load_taxonomy().topics}
    labels |= {topic.id: topic.label or topic.id for topic in profile.topics.extra}
    labels |= _catalogue().get("topic_labels", {}).get(language, {})
    return labels


def branch_names(profile: Profile, language: str) -> dict[str, str]:
    from indexer.queries import MISSING

    return {branch.id: branch.name for branch in profile.branches} | {
        MISSING: messages(language)["no_branch"]
    }
