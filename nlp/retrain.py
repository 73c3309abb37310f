"""Retraining with staff corrections, behind the gate: train on the shipped data plus most of the
corrections, judge against the active model, activate only if no label got worse."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlp import registry
from nlp.gate import SetKind, Verdict, gate_settings, held_out, judge
from nlp.model import Example, Model
from nlp.training import build_and_publish, examples, read_labelled, training_sets

HELD_OUT = "held out of {file}"
GATE_FILE = "gate.json"


@dataclass(frozen=True)
class Retraining:
    directory: Path
    version: str
    verdict: Verdict | None  # None: no active model to compare with
    activated: bool
    corrections_trained: int
    corrections_held_out: int


def reference_sets() -> dict[str, tuple[SetKind, Sequence[Example]]]:
    """The shipped measure sets (absent files skipped), as the gate's reference sets."""
    out: dict[str, tuple[SetKind, Sequence[Example]]] = {}
    for labelled in training_sets(key="measure"):
        if labelled.path.is_file():
            items = examples(read_labelled(labelled.path), labelled.profile)
            out[labelled.path.name] = ("reference", items)
    return out


def retrain(
    corrections: Sequence[Mapping[str, Any]],
    profile: Path,
    root: Path | None = None,
    *,
    activate: bool = True,
    base: Sequence[Example] | None = None,
    references: Mapping[str, tuple[SetKind, Sequence[Example]]] | None = None,
) -> Retraining:
    """`corrections`: labelled posts (eval schema, `id` the mention id, `file` the review file it
    came from) of the network `profile`. Each file's held-out part is judged apart, so a file that
    contradicts an earlier one shows as a loss on the earlier one.
    `base` and `references`: the shipped training and reference examples, if already tagged."""
    share = gate_settings().held_out_share
    kept = [dict(p) for p in corrections if held_out(str(p["id"]), share)]
    taught = [dict(p) for p in corrections if not held_out(str(p["id"]), share)]
    extra = examples(taught, profile)
    directory = (
        build_and_publish(root, activate=False, extra=extra)
        if base is None
        else build_and_publish(root, activate=False, sets=[], extra=[*base, *extra])
    )
    new = Model.load(directory)
    try:
        current: Model | None = Model.load(registry.model_dir(root=root))
    except registry.RegistryError:
        current = None
    verdict = None
    if current is not None:
        references = reference_sets() if references is None else references
        sets: dict[str, tuple[SetKind, Sequence[Example]]] = {}
        for file in sorted({str(p.get("file", "corrections")) for p in kept}):
            mine = [p for p in kept if str(p.get("file", "corrections")) == file]
            sets[HELD_OUT.format(file=file)] = ("corrections", examples(mine, profile))
        verdict = judge(current, new, {**sets, **references})
    accepted = verdict is None or verdict.accepted
    record = {
        "corrections": {"trained": len(taught), "held_out": len(kept)},
        "gate": verdict.as_dict() if verdict else None,
    }
    (directory / GATE_FILE).write_text(
        json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    if activate and accepted:
        registry.activate(new.version, root)
    return Retraining(
        directory=directory,
        version=new.version,
        verdict=verdict,
        activated=activate and accepted,
        corrections_trained=len(taught),
        corrections_held_out=len(kept),
    )
