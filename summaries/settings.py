"""The summary's tunables (`settings.yml`); where reports go is a setting (`config.settings`)."""

from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field

from config.packaged import packaged_settings


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
    return packaged_settings(Tunables, "summaries", "settings.yml")
