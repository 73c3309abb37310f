import subprocess
import sys

import pytest

from config.taxonomy import load_taxonomy

TOPICS = {
    "wifi",
    "temperature",
    "power",
    "noise",
    "seating",
    "hours",
    "staff",
    "printing",
    "cleanliness",
    "collections",
    "loans",
    "digital",
    "events",
    "accessibility",
    "facilities",
}


def test_taxonomy_has_the_readme_topics() -> None:
    assert set(load_taxonomy().topic_ids) == TOPICS


def test_every_topic_has_french_and_english_terms() -> None:
    for topic in load_taxonomy().topics:
        assert topic.fr.phrases and topic.en.phrases, topic.id


def test_profile_extends_without_code() -> None:
    taxonomy = load_taxonomy().extended(
        [{"id": "theses", "label": "Thèses", "fr": ["thèse*"], "en": ["thesis"]}],
        {"wifi": {"fr": ["wifi-campus"], "en": []}},
    )
    assert "theses" in taxonomy.topic_ids
    assert "wifi-campus" in next(t for t in taxonomy.topics if t.id == "wifi").fr.phrases
    assert taxonomy.digest() != load_taxonomy().digest()


def test_unknown_topic_in_terms_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown topic"):
        load_taxonomy().extended(None, {"parking-lot": {"fr": ["x"]}})


def test_taxonomy_module_does_not_import_spacy() -> None:
    code = "import sys, config.taxonomy as t; t.load_taxonomy(); print('spacy' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
