"""Settings a folder ships beside its code: a YAML file of the installed package, validated by its
pydantic model, so that a wrong value fails at first use with the field named."""

from importlib.resources import files
from typing import TypeVar

import yaml
from pydantic import BaseModel

Settings = TypeVar("Settings", bound=BaseModel)


def packaged_settings(model: type[Settings], package: str, name: str) -> Settings:
    """`name` (a path inside `package`) read and validated as `model`."""
    text = files(package).joinpath(name).read_text(encoding="utf-8")
    return model.model_validate(yaml.safe_load(text))
