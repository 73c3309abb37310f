"""The summary's tunables (`settings.yml`) and where reports are written (environment)."""

from functools import lru_cache
from importlib.resources import files
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Tunables(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    trend_weeks: int = Field(ge=2)
    baseline_weeks: int = Field(ge=1)
    example_topics: int = Field(ge=0)
    examples_per_topic: int = Field(ge=1)
    example_pool: int = Field(ge=1)
    example_max_similarity: float = Field(gt=0.0, le=1.0)
    emerging_terms: int = Field(ge=0)
    emerging_min_count: int = Field(ge=1)
    own_posts: int = Field(ge=0)
    waiting_after_hours: int = Field(ge=1)
    waiting_weeks: int = Field(ge=0)
    waiting_shown: int = Field(ge=0)
    chart_topics: int = Field(ge=1)
    chart_width_inches: float = Field(gt=0)
    chart_dpi: int = Field(ge=50)


@lru_cache(maxsize=1)
def tunables() -> Tunables:
    text = files("summaries").joinpath("settings.yml").read_text(encoding="utf-8")
    return Tunables.model_validate(yaml.safe_load(text))


class ReportSettings(BaseSettings):
    """`MURMURE_REPORTS_DIR`: where the DAG saves each week's report (HTML and plain text)."""

    model_config = SettingsConfigDict(env_prefix="MURMURE_", extra="ignore", frozen=True)

    reports_dir: Path = Path("reports")
