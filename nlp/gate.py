"""The retraining gate: scores before and after per label and evaluation set, and the verdict.

Staff corrections are few and may be wrong (a misread row, a nickname taken for a complaint). A
model trained on them is only adopted if it is not worse, beyond a stated tolerance, on any label
of the shipped reference sets or of the corrections kept out of its training.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from nlp.model import Example, Model
from nlp.scoring import Scores

SETTINGS_PATH = Path(__file__).with_name("gate.yml")
Label = Literal["relevant", "topics", "sentiment", "complaint"]
SetKind = Literal["reference", "corrections"]


class GateSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    held_out_share: float = Field(gt=0, lt=1)
    labels: list[Label] = Field(min_length=1)
    tolerance: dict[SetKind, float]


@lru_cache(maxsize=1)
def gate_settings(path: Path = SETTINGS_PATH) -> GateSettings:
    return GateSettings.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def held_out(mention_id: str, share: float) -> bool:
    """Whether a correction judges models rather than trains them (fixed by its id alone)."""
    bucket = int(hashlib.sha256(mention_id.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return bucket < share


def label_scores(scores: Scores) -> dict[str, float]:
    p, r = scores.complaint_precision, scores.complaint_recall
    return {
        "relevant": scores.relevance_accuracy,
        "topics": scores.topic_f1,
        "sentiment": scores.sentiment_macro_f1,
        "complaint": 2 * p * r / (p + r) if p + r else 0.0,
    }


@dataclass(frozen=True)
class Comparison:
    set: str
    kind: SetKind
    label: str
    before: float
    after: float
    tolerance: float
    posts: int

    @property
    def worse(self) -> bool:
        return self.after < self.before - self.tolerance - 1e-9


@dataclass
class Verdict:
    before: str
    after: str
    rows: list[Comparison] = field(default_factory=list)

    @property
    def worse(self) -> list[Comparison]:
        return [row for row in self.rows if row.worse]

    @property
    def accepted(self) -> bool:
        return not self.worse

    def as_dict(self) -> dict[str, Any]:
        return {
            "before": self.before,
            "after": self.after,
            "accepted": self.accepted,
            "rows": [asdict(row) | {"worse": row.worse} for row in self.rows],
        }


def judge(
    before: Model,
    after: Model,
    sets: Mapping[str, tuple[SetKind, Sequence[Example]]],
    settings: GateSettings | None = None,
) -> Verdict:
    """Both models scored per label on every set neither was trained on."""
    from nlp.crossval import score_model

    settings = settings or gate_settings()
    verdict = Verdict(before=before.version, after=after.version)
    for name, (kind, items) in sets.items():
        if not items:
            continue
        old, new = label_scores(score_model(before, items)), label_scores(score_model(after, items))
        verdict.rows += [
            Comparison(
                set=name,
                kind=kind,
                label=label,
                before=round(old[label], 4),
                after=round(new[label], 4),
                tolerance=settings.tolerance[kind],
                posts=len(items),
            )
            for label in settings.labels
        ]
    return verdict
