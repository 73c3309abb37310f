"""The learned heads: a fresh build reproduces the shipped model and its published scores, the
registry keeps versions apart from the active one, cross-validation never scores a post with a
model that saw it, the gate hands the rules the posts they were written for and only those, and
every tag keeps evidence that points at the post's words."""

import json
import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pytest

import nlp.crossval
import nlp.encoder
from config.profile import Profile
from nlp import registry
from nlp.classifier import load_model
from nlp.crossval import cross_validate, predict
from nlp.model import Example, Model, decide, train
from nlp.model import ruled as rules_decision
from nlp.stage import Stage
from nlp.training import build_and_publish, examples, read_labelled

from .conftest import DATA, REAL_TRAIN

REAL_DEV = Path(__file__).resolve().parents[3] / "shared" / "eval" / "real-dev.jsonl"

HEADLINE = (
    "topics micro-F1",
    "sentiment macro-F1",
    "complaint precision",
    "complaint recall",
    "relevance accuracy",
)


@pytest.fixture(scope="module")
def heldout() -> list[Example]:
    return examples(read_labelled(DATA / "nlp_heldout.jsonl"), DATA / "nlp_profile.yml")


@pytest.fixture(scope="module")
def small_model(heldout: list[Example]) -> Model:
    return train(heldout, version="small-1")


def test_a_fresh_build_reproduces_the_shipped_model_and_its_scores(tmp_path: Path) -> None:
    shipped = registry.model_dir()
    fresh = build_and_publish(tmp_path)
    assert fresh.name == shipped.name  # same data and settings: same version
    assert registry.active_version(tmp_path) == shipped.name
    published = json.loads((shipped / "scores.json").read_text(encoding="utf-8"))
    measured = json.loads((fresh / "scores.json").read_text(encoding="utf-8"))
    assert "nlp_heldout.jsonl" in measured
    for name in measured:
        for metric in HEADLINE:
            assert measured[name][metric] == pytest.approx(published[name][metric], abs=0.01)


def test_publishing_activating_and_rolling_back(tmp_path: Path, small_model: Model) -> None:
    registry.publish(small_model, tmp_path)
    assert registry.versions(tmp_path) == ["small-1"]
    with pytest.raises(registry.RegistryError, match="no active"):
        registry.active_version(tmp_path)  # publishing is not activating
    registry.activate("small-1", tmp_path)
    registry.publish(replace(small_model, version="small-2"), tmp_path)
    assert registry.active_version(tmp_path) == "small-1"
    registry.activate("small-2", tmp_path)
    assert registry.model_dir(root=tmp_path).name == "small-2"
    registry.activate("small-1", tmp_path)  # roll back
    assert registry.active_version(tmp_path) == "small-1"
    with pytest.raises(registry.RegistryError, match="no NLP model 'nope'"):
        registry.activate("nope", tmp_path)


def test_a_saved_model_decides_like_the_trained_one(
    tmp_path: Path, small_model: Model, heldout: list[Example]
) -> None:
    loaded = Model.load(registry.publish(small_model, tmp_path))
    before, after = predict(small_model, heldout), predict(loaded, heldout)
    same = sum(b == a for b, a in zip(before, after, strict=True))
    assert same / len(heldout) >= 0.97  # weights are stored as float16
    assert loaded.digest() == Model.load(tmp_path / "small-1").digest()


@pytest.mark.filterwarnings("ignore:The least populated class")  # 36 posts in 3 folds
def test_cross_validation_never_scores_a_post_with_a_model_that_saw_it(
    monkeypatch: pytest.MonkeyPatch, heldout: list[Example]
) -> None:
    base, file_examples = heldout[:30], heldout[30:]
    seen: list[set[str]] = []

    def recording_train(items: Sequence[Example], **kwargs: object) -> Model:
        seen.append({e.text for e in items})
        return train(items)

    monkeypatch.setattr(nlp.crossval, "train", recording_train)
    scores = cross_validate(file_examples, base, folds=3, seed=1)
    assert scores.n == len(file_examples) and len(seen) == 3
    for texts in seen:
        assert {e.text for e in base} <= texts
    for e in file_examples:  # each post is left out of exactly one model, the one that tags it
        assert sum(e.text not in texts for texts in seen) == 1


def test_every_tag_keeps_evidence_on_the_posts_words(stage: Stage, profile: Profile) -> None:
    texts = [p["text"] for p in read_labelled(DATA / "nlp_heldout.jsonl")]
    rules = Stage(profile=profile, learned=False)
    tagged = 0
    for (_, doc), (_, ruled) in zip(stage.docs(texts), rules.docs(texts), strict=True):
        for topic, spans in doc._.topics.items():
            tagged += 1
            if topic in ruled._.topics:
                assert spans == ruled._.topics[topic]  # the rules' spans are kept
            else:
                assert spans, f"{topic} without evidence in {doc.text!r}"
                for start, end in spans:
                    assert re.fullmatch(r"\w+", doc.text[start:end])
    assert tagged >= 50


def _gated(items: Sequence[Example]) -> tuple[Model, list[bool], list[dict[str, object]]]:
    model = load_model()
    texts, views = [e.text for e in items], [e.view for e in items]
    decisions = decide(model, model.features(texts, views), views)
    return model, decisions.by_rules, decisions.labels


def test_the_gate_hands_the_rules_the_synthetic_posts_and_they_decide_them(
    heldout: list[Example],
) -> None:
    model, by_rules, labels = _gated(heldout)
    assert sum(by_rules) >= 0.8 * len(heldout)  # a split the gate never saw
    for e, ruled_post, decision in zip(heldout, by_rules, labels, strict=True):
        if not ruled_post or not decision["relevant"]:
            continue
        assert decision["topics"] == rules_decision(model.heads["topics"].spec, e.view)
        assert decision["complaint"] == rules_decision(model.heads["complaint"].spec, e.view)


@pytest.mark.skipif(not REAL_DEV.is_file(), reason="the shared evaluation sets are not here")
def test_the_gate_leaves_real_posts_to_the_learned_heads() -> None:
    posts = read_labelled(REAL_DEV)
    items = examples(posts, REAL_DEV.with_name("real-dev-profile.yml"))
    _, by_rules, _ = _gated(items)
    assert sum(by_rules) <= 0.2 * len(items)


def test_a_learned_complaint_is_dropped_where_the_learned_sentiment_is_positive(
    small_model: Model,
) -> None:
    posts = read_labelled(REAL_TRAIN)
    items = examples(posts[:150], DATA / "nlp_profile.yml")  # real posts the model never saw
    texts, views = [e.text for e in items], [e.view for e in items]
    x = small_model.features(texts, views)
    vetoing = replace(small_model, rules={**small_model.rules, "complaint_vetoed_by": ["positive"]})
    free = replace(small_model, rules={**small_model.rules, "complaint_vetoed_by": []})
    vetoed, kept = decide(vetoing, x, views), decide(free, x, views)
    sentiment = small_model.heads["sentiment"]
    read_positive = [
        sentiment.outputs[int(p.argmax())] == "positive" for p in vetoed.probabilities["sentiment"]
    ]
    dropped = 0
    for positive, after, before in zip(read_positive, vetoed.labels, kept.labels, strict=True):
        if positive and after["relevant"]:
            assert not after["complaint"]
            dropped += bool(before["complaint"])
        else:
            assert after["complaint"] == before["complaint"]
    assert dropped >= 1


def test_sentence_vectors_are_computed_only_for_the_posts_the_learned_heads_decide(
    monkeypatch: pytest.MonkeyPatch, heldout: list[Example]
) -> None:
    model = load_model()
    name = model.featurizer.settings.sentence_encoder
    assert name, "the shipped model has sentence vectors"
    posts = read_labelled(REAL_TRAIN)
    items = [*heldout[:40], *examples(posts[:40], DATA / "nlp_profile.yml")]
    texts, views = [e.text for e in items], [e.view for e in items]
    embedded: list[str] = []
    embed = nlp.encoder.embed

    def recording_embed(encoder: str, batch: list[str]) -> object:
        embedded.extend(batch)
        return embed(encoder, batch)

    monkeypatch.setattr(nlp.encoder, "embed", recording_embed)
    x = model.features(texts, views)
    by_rules = model.by_rules(x)
    assert 0 < sum(by_rules) < len(items)
    learned = [i for i, ruled in enumerate(by_rules) if not ruled]
    assert sorted(embedded) == sorted(texts[i] for i in learned)
    # the learned posts decide as with every vector computed (how the model was trained)
    lazy = decide(model, x, views).labels
    full = decide(model, model.features_of(items), views).labels
    assert [lazy[i] for i in learned] == [full[i] for i in learned]
