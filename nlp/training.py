"""Labelled posts as training examples: each set is read with the profile it was labelled against
and run through the rule components, whose decisions are features of the learned heads."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from nlp import encoder
from nlp.extensions import folded
from nlp.features import rule_view
from nlp.model import Example, Model, head_specs, load_config, train

MANIFEST = Path(__file__).with_name("data") / "training.yml"


@dataclass(frozen=True)
class LabelledSet:
    path: Path
    profile: Path
    kind: str = "real"  # `real` posts teach the labels; `synthetic` ones only the gate


def training_sets(manifest: Path = MANIFEST, key: str = "sets") -> list[LabelledSet]:
    """The labelled sets listed under `key` (`sets`: trained on; `measure`: scored on)."""
    data = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    return [
        LabelledSet(
            path=(manifest.parent / s["path"]).resolve(),
            profile=(manifest.parent / s["profile"]).resolve(),
            kind=str(s.get("kind", "real")),
        )
        for s in data.get(key) or []
    ]


def measured(model: Model, sets: Iterable[LabelledSet]) -> dict[str, dict[str, Any]]:
    """Scores of `model` on each set it was not trained on (absent files are skipped: the shared
    evaluation sets are not shipped with Murmure)."""
    from nlp.crossval import score_model

    out: dict[str, dict[str, Any]] = {}
    for labelled in sets:
        if not labelled.path.is_file():
            continue
        scores = score_model(model, examples(read_labelled(labelled.path), labelled.profile))
        out[labelled.path.name] = {
            **scores.headline(),
            "per_topic_f1": scores.topic_f1_by_topic,
            "n": scores.n,
        }
    return out


def missing_labels(post: dict[str, Any]) -> list[str]:
    """The fields a labelled post lacks: its text and one per label head of the model."""
    labels = (spec.name for spec in head_specs() if spec.is_label)
    return [f for f in ("text", *labels) if f not in post]


def read_labelled(path: Path) -> list[dict[str, Any]]:
    """The posts of a labelled JSONL file; a post without a field some head learns is an error."""
    posts = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        post = json.loads(line)
        missing = missing_labels(post)
        if missing:
            raise ValueError(f"{path}:{number}: missing {', '.join(missing)}")
        posts.append(post)
    return posts


_SPACE = re.compile(r"\W+")


def normalised(text: str) -> str:
    """What two copies of one post share: letters and digits, lowercase, no accents."""
    plain = unicodedata.normalize("NFKD", text.casefold())
    return _SPACE.sub(" ", "".join(c for c in plain if not unicodedata.combining(c))).strip()


def examples(posts: Sequence[dict[str, Any]], profile: Path, kind: str = "real") -> list[Example]:
    """Training examples of `posts` (from a set of `kind`), tagged by the rules with `profile`."""
    from config.profile import load_profile
    from nlp.stage import Stage

    stage = Stage(profile=load_profile(profile), learned=False)
    docs = [doc for _, doc in stage.docs([p["text"] for p in posts])]
    texts = [folded(doc) for doc in docs]
    name = load_config()["features"].get("sentence_encoder")
    vectors = [_sentence_vector(name, text) if name else None for text in texts]
    return [
        Example(text, rule_view(doc), post, branch=doc._.branch, kind=kind, vector=vector)
        for post, doc, text, vector in zip(posts, docs, texts, vectors, strict=True)
    ]


@lru_cache(maxsize=1 << 14)
def _sentence_vector(encoder_name: str, text: str) -> np.ndarray:
    """Every build (a retraining, its gate, each cross-validation fold) reads the labelled files
    again: their vectors, the dear part, are computed once per process."""
    vector: np.ndarray = encoder.embed(encoder_name, [text])[0]
    return vector


def training_examples(
    sets: Iterable[LabelledSet] | None = None, *, excluding: Iterable[str] = ()
) -> list[Example]:
    """Every post of the training sets, except those whose normalised text is in `excluding`."""
    banned = {normalised(t) for t in excluding}
    out: list[Example] = []
    for labelled in sets if sets is not None else training_sets():
        posts = [p for p in read_labelled(labelled.path) if normalised(p["text"]) not in banned]
        out += examples(posts, labelled.profile, labelled.kind)
    return out


def data_digest(items: Iterable[Example], config: dict[str, Any]) -> str:
    """The model version: a hash of what it learned from and how (same data, same name)."""
    digest = hashlib.sha256(json.dumps(config, sort_keys=True).encode())
    specs = [spec for spec in head_specs(config) if spec.is_label]
    for e in items:
        labels = {spec.name: e.labels.get(spec.name) for spec in specs}
        digest.update(json.dumps([e.text, e.view, labels, e.kind], sort_keys=True).encode())
    return digest.hexdigest()[:10]


def build_model(sets: Iterable[LabelledSet] | None = None, extra: Sequence[Example] = ()) -> Model:
    """The model of the training sets (and `extra` examples, e.g. staff corrections), named by a
    hash of its data and config (reproducible)."""
    config = load_config()
    items = [*training_examples(sets), *extra]
    return train(items, version=f"linear-{data_digest(items, config)}", config=config)


def build_and_publish(
    root: Path | None = None,
    *,
    activate: bool = True,
    sets: Iterable[LabelledSet] | None = None,
    extra: Sequence[Example] = (),
) -> Path:
    """Trains a model on `sets` (default: the shipped training data; staff corrections would be one
    more set), saves it in the registry with its scores on the measure sets (`scores.json`), and
    makes it the active one if asked."""
    from nlp import registry

    model = build_model(sets, extra)
    directory = registry.publish(model, root)
    scores = measured(model, training_sets(key="measure"))
    (directory / "scores.json").write_text(
        json.dumps(scores, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    if activate:
        registry.activate(model.version, root)
    return directory
