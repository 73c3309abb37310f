"""Versioned models and the one that is active.

A registry is a directory: one sub-directory per model version (`nlp.model.Model.save`), and a
file `ACTIVE` naming the version the stage uses. Publishing a model never changes the active one;
activating is a separate step (a gate comparing scores per label decides it), and rolling back is
activating an older version.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from nlp.model import Model

REGISTRY = Path(__file__).with_name("models")
ACTIVE = "ACTIVE"


class RegistryError(RuntimeError):
    pass


def versions(root: Path | None = None) -> list[str]:
    root = root or REGISTRY
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / "model.json").is_file())


def active_version(root: Path | None = None) -> str:
    root = root or REGISTRY
    pointer = root / ACTIVE
    if not pointer.is_file():
        raise RegistryError(f"no active NLP model in {root} (build one with `murmure nlp train`)")
    return pointer.read_text(encoding="utf-8").strip()


def model_dir(version: str | None = None, root: Path | None = None) -> Path:
    """The directory of `version` (default: the active one)."""
    root = root or REGISTRY
    directory = root / (version or active_version(root))
    if not (directory / "model.json").is_file():
        raise RegistryError(f"no NLP model {directory.name!r} in {root}")
    return directory


def publish(model: Model, root: Path | None = None) -> Path:
    """Saves `model` under its version; an existing version is replaced (same data, same model)."""
    directory = (root or REGISTRY) / model.version
    model.save(directory)
    return directory


def activate(version: str, root: Path | None = None) -> None:
    root = root or REGISTRY
    model_dir(version, root)  # must exist
    tmp = root / f".{ACTIVE}.tmp"
    tmp.write_text(version + "\n", encoding="utf-8")
    tmp.replace(root / ACTIVE)  # atomic: a reader sees the old or the new version


def load_meta(directory: Path) -> dict[str, Any]:
    """A model's description (version, heads, thresholds, training size) without its weights."""
    meta: dict[str, Any] = json.loads((directory / "model.json").read_text(encoding="utf-8"))
    return meta
