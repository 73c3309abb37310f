"""The rule components' data: read at `initialize`, saved with the pipeline, read back from it."""

from pathlib import Path
from typing import Any

import pytest
import spacy

from config.profile import Profile
from nlp.branches import BranchFinder
from nlp.pipeline import add_components, components_config
from nlp.question import QuestionDetector
from nlp.relevance import RelevanceJudge
from nlp.sentiment import SentimentScorer
from nlp.topics import TopicTagger

POSTS = [
    "Le wifi de la BU Pont-de-Bois est encore en panne, impossible de bosser 😡",
    "Dépôt de thèse : la BU est-elle ouverte samedi ?",
    "Super accueil à la bibliothèque, merci à l'équipe !",
    "Ma bibliothèque Python refuse de s'installer",
]
COMPONENTS = (BranchFinder, TopicTagger, RelevanceJudge, SentimentScorer, QuestionDetector)


def _tags(nlp: spacy.language.Language) -> list[tuple[Any, ...]]:
    return [
        (d._.topics, d._.branch, d._.relevant, d._.sentiment, d._.sentiment_score, d._.question)
        for d in nlp.pipe(POSTS)
    ]


def test_factories_carry_a_version(profile: Profile) -> None:
    factories = [section["factory"] for section in components_config(profile).values()]
    assert factories and all(factory.endswith("_v1") for factory in factories)


def test_a_saved_pipeline_keeps_its_data_whatever_the_shipped_files_become(
    profile: Profile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nlp = add_components(spacy.blank("fr"), profile)
    before = _tags(nlp)
    assert any(topics and "theses" in topics for topics, *_ in before)  # the profile's topic
    nlp.to_disk(tmp_path / "pipeline")
    assert (tmp_path / "pipeline" / "murmure_sentiment" / "sentiment.yml").is_file()
    assert (tmp_path / "pipeline" / "murmure_topics" / "taxonomy.yml").is_file()
    for component in COMPONENTS:  # the shipped files are gone: only the saved ones can be read
        missing = {name: tmp_path / "nowhere" / name for name in component.files}
        monkeypatch.setattr(component, "files", missing)

    loaded = spacy.load(tmp_path / "pipeline")

    assert loaded.pipe_names == nlp.pipe_names
    assert _tags(loaded) == before
    with pytest.raises(FileNotFoundError):
        add_components(spacy.blank("fr"), profile)


def test_a_component_whose_data_is_not_loaded_says_so() -> None:
    nlp = spacy.blank("fr")
    nlp.add_pipe("murmure_sentiment_v1")
    with pytest.raises(AttributeError, match="data files are not loaded"):
        nlp("Le wifi est en panne")
