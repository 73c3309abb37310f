"""The retention stage's tunables (`settings.yml`)."""

from functools import lru_cache
from importlib.resources import files

import yaml
from pydantic import BaseModel, ConfigDict, Field


class RetentionSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    scan_size: int = Field(ge=1)
    bulk_size: int = Field(ge=1)


@lru_cache(maxsize=1)
def retention_settings() -> RetentionSettings:
    text = files("retention").joinpath("settings.yml").read_text(encoding="utf-8")
    return RetentionSettings.model_validate(yaml.safe_load(text))
