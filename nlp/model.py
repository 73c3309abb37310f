"""The learned heads of the NLP stage: `train(examples) -> Model`, saved to and loaded from a
model directory, probabilities and decisions per head.

One logistic regression per decision (relevance, each topic, complaint; one multinomial one for
sentiment) over the features of `nlp.features`: small, fast (a dot product per post), trained in
seconds on a few thousand posts, and every decision can be traced back to the words that weighed
most. Heads and their classes come from `data/classifier.yml` and the taxonomy, not from code.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
import yaml
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, StratifiedKFold

from config.taxonomy import load_taxonomy
from nlp.features import FeatureSettings, Featurizer, RuleView

CONFIG_PATH = Path(__file__).with_name("data") / "classifier.yml"
Kind = Literal["binary", "multiclass", "multilabel"]


@lru_cache(maxsize=4)
def load_config(path: Path = CONFIG_PATH) -> dict[str, Any]:
    config: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return config


@dataclass(frozen=True)
class HeadSpec:
    name: str
    kind: Kind
    classes: tuple[str, ...]
    relevant_only: bool = False
    threshold: float | None = None  # None: tuned inside the training data
    learns: Literal["labels", "set"] = "labels"  # "set": which kind of labelled set a post is from
    trained_on: tuple[str, ...] = ("real",)  # kinds of labelled sets (data/training.yml)

    def targets(self, example: Example) -> list[bool] | str:
        """The target of one post for this head: a class, or one flag per class."""
        if self.learns == "set":
            return [example.kind in self.classes]
        value = example.labels.get(self.name)
        if self.kind == "multiclass":
            return str(value)
        if self.kind == "multilabel":
            present = set(value or [])
            return [c in present for c in self.classes]
        return [bool(value)]

    @property
    def is_label(self) -> bool:
        """A field of the eval schema (not the gate that says who decides)."""
        return self.learns == "labels"


def head_specs(config: Mapping[str, Any] | None = None) -> list[HeadSpec]:
    config = config or load_config()
    specs = []
    for name, body in config["heads"].items():
        classes = body.get("classes", [name])
        if classes == "taxonomy":
            classes = load_taxonomy().topic_ids
        threshold = body.get("threshold", 0.5)
        specs.append(
            HeadSpec(
                name=name,
                kind=body["kind"],
                classes=tuple(classes),
                relevant_only=bool(body.get("relevant_only", False)),
                threshold=None if threshold == "tuned" else float(threshold),
                learns=body.get("learns", "labels"),
                trained_on=tuple(body.get("trained_on", ["real"])),
            )
        )
    return specs


@dataclass(frozen=True)
class Example:
    """A labelled post: its folded text, what the rules said of it, its labels (eval schema)."""

    text: str
    view: RuleView
    labels: Mapping[str, Any]
    branch: str | None = None  # the rules' (branches are not learned)
    kind: str = "real"  # of the labelled set it comes from (`data/training.yml`)
    vector: np.ndarray | None = field(default=None, compare=False)  # of `text`: sentence_encoder


def vectors_of(items: Sequence[Example]) -> np.ndarray | None:
    """The items' sentence vectors stacked, or None when they have none."""
    vectors = [e.vector for e in items]
    if not vectors or any(v is None for v in vectors):
        return None
    return np.stack([v for v in vectors if v is not None])


@dataclass
class Head:
    """One head's weights: a row per output (per class, or per topic the data taught)."""

    spec: HeadSpec
    outputs: list[str]
    coef: np.ndarray  # (outputs, features)
    intercept: np.ndarray  # (outputs,)
    thresholds: np.ndarray  # (outputs,), binary and multilabel heads

    def probabilities(self, x: Any) -> np.ndarray:
        logits = np.asarray(x @ self.coef.T, dtype=np.float64) + self.intercept
        if self.spec.kind == "multiclass":
            logits -= logits.max(axis=1, keepdims=True)
            exp = np.exp(logits)
            return np.asarray(exp / exp.sum(axis=1, keepdims=True))
        return np.asarray(1.0 / (1.0 + np.exp(-logits)))


@dataclass
class Model:
    version: str
    featurizer: Featurizer
    heads: dict[str, Head]
    rules: dict[str, Any]  # which heads the rules decide, and on which posts (classifier.yml)
    trained_on: dict[str, Any] = field(default_factory=dict)

    def features(
        self, texts: list[str], views: list[RuleView], vectors: np.ndarray | None = None
    ) -> Any:
        """Feature rows of the posts. Without `vectors`, sentence vectors are computed for the
        posts the gate does not hand to the rules only: the rules ignore them, and they are the
        dearest feature by far."""
        sparse = self.featurizer.sparse(texts, views)
        x = self.featurizer.with_vectors(sparse, vectors)
        if vectors is not None or not self.featurizer.settings.sentence_encoder:
            return x
        learned = [i for i, ruled in enumerate(self.by_rules(x)) if not ruled]
        if not learned:
            return x
        found = self.featurizer.sentence_vectors([texts[i] for i in learned])
        assert found is not None
        vectors = np.zeros((len(texts), found.shape[1]), dtype=np.float32)
        vectors[learned] = found
        return self.featurizer.with_vectors(sparse, vectors)

    def features_of(self, items: Sequence[Example]) -> Any:
        """Feature rows of labelled posts, with the sentence vectors they carry."""
        return self.features([e.text for e in items], [e.view for e in items], vectors_of(items))

    def by_rules(self, x: Any) -> list[bool]:
        """Per post: does the gate hand it to the rules (`rules.gate`, `rules.heads`)?"""
        gate = self.heads.get(str(self.rules.get("gate")))
        if gate is None or not gate.outputs:
            return [False] * x.shape[0]
        return [bool(p >= gate.thresholds[0]) for p in gate.probabilities(x)[:, 0]]

    def probabilities(self, x: Any) -> dict[str, np.ndarray]:
        return {name: head.probabilities(x) for name, head in self.heads.items()}

    def digest(self) -> str:
        """A hash of the weights, thresholds and vocabularies (provenance of a decision)."""
        digest = hashlib.sha256(self.version.encode())
        digest.update(json.dumps(self.rules, sort_keys=True).encode())
        for name, head in sorted(self.heads.items()):
            digest.update(name.encode() + head.coef.astype(np.float16).tobytes())
            digest.update(head.intercept.tobytes() + head.thresholds.tobytes())
        digest.update(" ".join(self.featurizer.names).encode())
        return digest.hexdigest()[:10]

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.featurizer.save(directory)
        meta = {
            "version": self.version,
            "rules": self.rules,
            "trained_on": self.trained_on,
            "heads": {
                name: {
                    "kind": head.spec.kind,
                    "classes": list(head.spec.classes),
                    "relevant_only": head.spec.relevant_only,
                    "threshold": head.spec.threshold,
                    "learns": head.spec.learns,
                    "trained_on": list(head.spec.trained_on),
                    "outputs": head.outputs,
                    "thresholds": [round(float(t), 4) for t in head.thresholds],
                    "intercept": [float(b) for b in head.intercept],
                }
                for name, head in self.heads.items()
            },
        }
        (directory / "model.json").write_text(
            json.dumps(meta, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
        )
        # float16 halves the directory; the decisions do not change (checked by the tests).
        weights: dict[str, Any] = {n: h.coef.astype(np.float16) for n, h in self.heads.items()}
        np.savez_compressed(directory / "weights.npz", **weights)

    @classmethod
    def load(cls, directory: Path) -> Model:
        meta = json.loads((directory / "model.json").read_text(encoding="utf-8"))
        weights = np.load(directory / "weights.npz")
        heads = {}
        for name, body in meta["heads"].items():
            spec = HeadSpec(
                name=name,
                kind=body["kind"],
                classes=tuple(body["classes"]),
                relevant_only=body["relevant_only"],
                threshold=body["threshold"],
                learns=body["learns"],
                trained_on=tuple(body["trained_on"]),
            )
            heads[name] = Head(
                spec=spec,
                outputs=list(body["outputs"]),
                coef=weights[name].astype(np.float32),
                intercept=np.asarray(body["intercept"], dtype=np.float64),
                thresholds=np.asarray(body["thresholds"], dtype=np.float64),
            )
        return cls(
            version=meta["version"],
            featurizer=Featurizer.load(directory),
            heads=heads,
            rules=meta["rules"],
            trained_on=meta.get("trained_on", {}),
        )


def _classifier(kind: Kind, c: float, seed: int) -> LogisticRegression:
    solver = "lbfgs" if kind == "multiclass" else "liblinear"
    return LogisticRegression(
        C=c,
        class_weight="balanced",
        solver=solver,
        dual=kind != "multiclass",  # liblinear: far faster with more features than posts
        max_iter=2000,
        random_state=seed,
    )


def _rows(spec: HeadSpec, examples: Sequence[Example]) -> list[int]:
    return [
        i
        for i, e in enumerate(examples)
        if e.kind in spec.trained_on and (not spec.relevant_only or bool(e.labels["relevant"]))
    ]


def _out_of_fold(
    x: Any, y: np.ndarray, c: float, seed: int, folds: int, stratify: bool
) -> np.ndarray:
    """Probabilities of `y` for each row from a model that did not see the row."""
    splitter = (
        StratifiedKFold(folds, shuffle=True, random_state=seed)
        if stratify
        else KFold(folds, shuffle=True, random_state=seed)
    )
    out = np.zeros(len(y))
    for train_rows, test_rows in splitter.split(np.zeros(len(y)), y if stratify else None):
        if len(set(y[train_rows])) < 2:
            out[test_rows] = float(y[train_rows][0])
            continue
        model = _classifier("binary", c, seed).fit(x[train_rows], y[train_rows])
        out[test_rows] = model.predict_proba(x[test_rows])[:, 1]
    return out


def best_threshold(y: np.ndarray, p: np.ndarray, grid: Sequence[float], beta: float) -> float:
    """The threshold of best F-beta over all outputs pooled (micro), ties to the one nearest 0.5.
    beta < 1 weighs precision more than recall."""

    def f_beta(t: float) -> float:
        pred = p >= t
        tp = float((pred & y).sum())
        precision, recall = tp / (float(pred.sum()) or 1.0), tp / (float(y.sum()) or 1.0)
        b2 = beta * beta
        return (1 + b2) * precision * recall / (b2 * precision + recall or 1.0)

    return max(grid, key=lambda t: (f_beta(t), -abs(t - 0.5)))


def _fit_head(
    spec: HeadSpec, x: Any, examples: Sequence[Example], config: Mapping[str, Any]
) -> Head:
    c, seed = float(config["model"]["C"]), int(config["model"]["seed"])
    least = int(config["model"]["min_examples"])
    tuning = config["tuning"]
    rows = _rows(spec, examples)
    xs = x[rows]
    if spec.kind == "multiclass":
        y = np.array([spec.targets(examples[i]) for i in rows])
        model = _classifier("multiclass", c, seed).fit(xs, y)
        order = [list(model.classes_).index(k) for k in spec.classes if k in model.classes_]
        return Head(
            spec=spec,
            outputs=[str(model.classes_[i]) for i in order],
            coef=model.coef_[order].astype(np.float32),
            intercept=model.intercept_[order].astype(np.float64),
            thresholds=np.zeros(len(order)),
        )
    flags = np.array([spec.targets(examples[i]) for i in rows], dtype=bool)
    outputs, coefs, intercepts, tuned_y, tuned_p = [], [], [], [], []
    for k, name in enumerate(spec.classes):
        y = flags[:, k]
        if y.sum() < least or (~y).sum() < least:
            continue
        model = _classifier("binary", c, seed).fit(xs, y)
        outputs.append(name)
        coefs.append(model.coef_[0])
        intercepts.append(model.intercept_[0])
        if spec.threshold is None:
            tuned_y.append(y)
            tuned_p.append(
                _out_of_fold(xs, y, c, seed, int(tuning["folds"]), spec.kind == "binary")
            )
    if spec.threshold is not None:
        threshold = spec.threshold
    elif tuned_y:
        beta = float(tuning["beta"].get(spec.name, 1.0))
        y_all, p_all = np.concatenate(tuned_y), np.concatenate(tuned_p)
        threshold = best_threshold(y_all, p_all, [float(t) for t in tuning["grid"]], beta)
    else:
        threshold = 0.5
    return Head(
        spec=spec,
        outputs=outputs,
        coef=np.array(coefs, dtype=np.float32).reshape(len(outputs), x.shape[1]),
        intercept=np.array(intercepts, dtype=np.float64),
        thresholds=np.full(len(outputs), threshold),
    )


def train(
    examples: Sequence[Example],
    *,
    version: str = "unversioned",
    config: Mapping[str, Any] | None = None,
) -> Model:
    """A model fitted on `examples`; the same examples and config give the same model."""
    config = config or load_config()
    settings = FeatureSettings.from_config(config["features"])
    texts, views = [e.text for e in examples], [e.view for e in examples]
    featurizer = Featurizer.fit(settings, texts, views)
    sparse = featurizer.sparse(texts, views)
    x = featurizer.with_vectors(sparse, vectors_of(examples))
    # The gate decides which posts need sentence vectors, so it learns without them.
    gate, plain = config["rules"].get("gate"), featurizer.with_vectors(sparse, None)
    heads = {
        spec.name: _fit_head(spec, plain if spec.name == gate else x, examples, config)
        for spec in head_specs(config)
    }
    return Model(
        version=version,
        featurizer=featurizer,
        heads=heads,
        rules=dict(config["rules"]),
        trained_on={"posts": len(examples), **Counter(e.kind for e in examples)},
    )


def ruled(spec: HeadSpec, view: RuleView) -> Any:
    """The rules' decision for a head, read from the rule features (`relevant`, `complaint`,
    `sentiment=negative`, `topics=wifi`...): every class they found, the profile's own included."""
    prefix = f"{spec.name}="
    if spec.kind == "binary":
        return bool(view.get(spec.name))
    found = [key.removeprefix(prefix) for key in view if key.startswith(prefix)]
    if spec.kind == "multiclass":
        return found[0] if found else _default(spec)
    return found


@dataclass
class Decisions:
    labels: list[dict[str, Any]]  # per post, eval schema
    probabilities: dict[str, np.ndarray]  # per head
    by_rules: list[bool]  # per post: the rules decided the heads they cover


def decide(model: Model, x: Any, views: Sequence[RuleView]) -> Decisions:
    """Labels (eval schema) per post, each head's probabilities, and who decided.

    The gate (`rules.gate`, a head that learned which posts look like the ones the rules were
    written and checked for) hands those posts to the rules for the heads they cover
    (`rules.heads`); elsewhere the learned heads decide, and a class they could not learn (a
    profile's own topic, a rare one) is left to the rules. Posts judged not relevant get no topics,
    `neutral` and no complaint; a learned complaint on a post whose learned sentiment is one of
    `rules.complaint_vetoed_by` (`positive`) is dropped; a complaint is always negative.
    """
    probabilities = model.probabilities(x)
    by_rules = model.by_rules(x)
    ruled_heads = set(model.rules["heads"])
    decisions: list[dict[str, Any]] = [{} for _ in views]
    for name, head in model.heads.items():
        p, spec = probabilities[name], head.spec
        if not spec.is_label:
            continue
        for i, view in enumerate(views):
            if name in ruled_heads and by_rules[i]:
                decisions[i][name] = ruled(spec, view)
            elif spec.kind == "multiclass":
                decisions[i][name] = head.outputs[int(np.argmax(p[i]))]
            elif spec.kind == "multilabel":
                learned = [o for k, o in enumerate(head.outputs) if p[i, k] >= head.thresholds[k]]
                rest = [c for c in ruled(spec, view) if c not in head.outputs]
                decisions[i][name] = learned + rest
            else:
                decisions[i][name] = bool(p[i, 0] >= head.thresholds[0])
    relevant_only = {name for name, head in model.heads.items() if head.spec.relevant_only}
    vetoes = set(model.rules.get("complaint_vetoed_by", []))
    for decision, ruled_post in zip(decisions, by_rules, strict=True):
        if not decision.get("relevant", True):
            for name in relevant_only:
                decision[name] = _default(model.heads[name].spec)
        if not ruled_post and decision.get("sentiment") in vetoes:
            decision["complaint"] = False
        if decision.get("complaint"):
            decision["sentiment"] = "negative"
    return Decisions(labels=decisions, probabilities=probabilities, by_rules=by_rules)


def _default(spec: HeadSpec) -> Any:
    if spec.kind == "multiclass":
        return "neutral" if "neutral" in spec.classes else spec.classes[0]
    return [] if spec.kind == "multilabel" else False
