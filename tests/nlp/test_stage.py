import shutil
from pathlib import Path

import pytest

from config.profile import Profile
from nlp.pipeline import DATA_DIR
from nlp.stage import Stage, build_stage
from schemas.analysis import Analysis


def test_analyse_returns_one_analysis_per_text_in_order(stage: Stage) -> None:
    texts = ["Le wifi de la BU lettres est HS 😡", "The library is lovely", "J'ai trop bu"]
    results = stage.analyse(texts)
    assert [type(r) for r in results] == [Analysis] * 3
    assert [r.lang for r in results] == ["fr", "en", "fr"]
    assert results[0].branch == "pont-de-bois" and results[0].complaint
    assert results[1].sentiment == "positive"
    assert not results[2].relevant


def test_not_relevant_gets_no_tags(stage: Stage) -> None:
    result = stage.analyse_one("Ma bibliothèque Python plante, c'est nul, pas de wifi")
    assert not result.relevant
    assert (result.topics, result.sentiment, result.complaint, result.branch) == (
        [],
        "neutral",
        False,
        None,
    )


def test_evidence_offsets_are_into_the_redacted_text(stage: Stage) -> None:
    result = stage.analyse_one(
        "@someone_else appelle le 06 12 34 56 78 : l'imprimante de la BU est en panne"
    )
    assert "06 12" not in result.text_redacted and "someone_else" not in result.text_redacted
    (printing,) = [t for t in result.topics if t.topic == "printing"]
    for span in printing.evidence:
        assert result.text_redacted[span.start : span.end] == span.text == "imprimante"


def test_own_account_stays_in_clear(stage: Stage) -> None:
    assert (
        "@BU_ValDeMarque" in stage.analyse_one("@BU_ValDeMarque la BU est fermée ?").text_redacted
    )


def test_lemmas_are_content_words(stage: Stage) -> None:
    lemmas = stage.analyse_one("Les imprimantes de la bibliothèque étaient cassées").lemmas.split()
    assert "imprimante" in lemmas and "bibliothèque" in lemmas
    assert "les" not in lemmas and "de" not in lemmas


def test_version_names_the_models_and_changes_with_the_profile(
    profile: Profile, stage: Stage
) -> None:
    from nlp.registry import active_version

    assert "fr_core_news_sm-3.8.0" in stage.version
    assert f"+{active_version()}+" in stage.version
    assert stage.version.startswith("murmure-")
    assert build_stage(profile).version == stage.version
    places = profile.area.model_copy(update={"places": [*profile.area.places, "Kergoat"]})
    assert build_stage(profile.model_copy(update={"area": places})).version != stage.version


def test_version_changes_with_any_data_file(
    profile: Profile, stage: Stage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    monkeypatch.setattr("nlp.pipeline.DATA_DIR", data)
    assert build_stage(profile).version == stage.version
    with (data / "cities.txt").open("a", encoding="utf-8") as cities:
        cities.write("Kergoat\n")
    assert build_stage(profile).version != stage.version


def test_load_builds_both_languages_before_any_post(profile: Profile) -> None:
    stage = build_stage(profile)
    assert stage.pipelines == {}
    assert stage.load() is stage
    assert sorted(stage.pipelines) == ["en", "fr"]
