"""What staff see in Kibana, read from `objects.yml`: data views, saved searches, the dashboard."""

from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from config.packaged import packaged_settings

ViewKey = Literal["mentions", "alerts"]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DataViewSpec(_Spec):
    id: str
    title: str
    name: str
    time_field: str


class SearchSpec(_Spec):
    id: str
    title: str
    description: str = ""
    data_view: ViewKey = "mentions"
    query: str
    columns: list[str] | None = None
    sort: list[tuple[str, Literal["asc", "desc"]]] | None = None
    time_from: str


class DashboardSpec(_Spec):
    id: str
    title: str
    description: str
    time_from: str
    top_topics: int = Field(ge=1)
    top_branches: int = Field(ge=1)
    top_terms: int = Field(ge=1)
    latest_complaints: str
    alerts: str
    panel_titles: dict[
        Literal[
            "over_time",
            "sentiment",
            "heatmap",
            "top_terms",
            "latest_complaints",
            "alerts",
            "answers_by_branch",
            "answers_by_source",
        ],
        str,
    ]


class ObjectsSpec(_Spec):
    core_migration_version: str
    type_migration_versions: dict[str, str]
    data_views: dict[ViewKey, DataViewSpec]
    mention_columns: list[str]
    searches: list[SearchSpec]
    branch_search: SearchSpec
    dashboard: DashboardSpec
    field_labels: dict[ViewKey, dict[str, str]]


@lru_cache(maxsize=1)
def objects_spec() -> ObjectsSpec:
    return packaged_settings(ObjectsSpec, "kibana", "objects.yml")
