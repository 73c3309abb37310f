"""Index names and aliases, read from `indices.yml`."""

from datetime import datetime
from functools import lru_cache
from importlib.resources import files

import yaml
from pydantic import BaseModel, ConfigDict


class _Layout(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MentionsLayout(_Layout):
    alias: str
    index_prefix: str
    month_format: str

    def index_for(self, created_at: datetime) -> str:
        """Monthly by the post's own date: a re-seen mention lands on its same document."""
        return self.index_prefix + created_at.strftime(self.month_format)

    @property
    def pattern(self) -> str:
        return self.index_prefix + "*"


class SingleIndexLayout(_Layout):
    alias: str
    index: str


class Layout(_Layout):
    mentions: MentionsLayout
    alerts: SingleIndexLayout
    summaries: SingleIndexLayout
    text_analyzer: str


@lru_cache(maxsize=1)
def layout() -> Layout:
    text = files("indexer").joinpath("indices.yml").read_text(encoding="utf-8")
    return Layout.model_validate(yaml.safe_load(text))
