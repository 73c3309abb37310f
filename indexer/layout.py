"""Index names and aliases, read from `indices.yml`, each behind `MURMURE_INDEX_PREFIX`."""

import re
from datetime import datetime
from functools import lru_cache

from pydantic import BaseModel, ConfigDict

from config.packaged import packaged_settings
from config.settings import get_settings


class _Layout(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MentionsLayout(_Layout):
    alias: str
    index_prefix: str
    recent_writes_s: float

    def index_for(self, created_at: datetime) -> str:
        """`<prefix>YYYY.MM` of the post's own date, the year always on four digits."""
        return f"{self.index_prefix}{created_at.year:04d}.{created_at.month:02d}"

    def month_of(self, index: str) -> tuple[int, int] | None:
        """(year, month) a monthly index holds, or None for another name. Also reads the
        unpadded years (`1.01`) that names of years before 1000 once had."""
        found = re.fullmatch(re.escape(self.index_prefix) + r"(\d{1,4})\.(\d{2})", index)
        if found is None:
            return None
        year, month = int(found.group(1)), int(found.group(2))
        return (year, month) if year >= 1 and 1 <= month <= 12 else None

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
    erasure_requests: str
    labels: str
    text_analyzer: str


_NAMES = {
    "mentions": ("alias", "index_prefix"),
    "alerts": ("alias", "index"),
    "summaries": ("alias", "index"),
}


def shipped_layout() -> Layout:
    """The names as `indices.yml` gives them, without the deployment's prefix (Kibana's data
    views, built once for every deployment, read these)."""
    return packaged_settings(Layout, "indexer", "indices.yml")


@lru_cache(maxsize=1)
def layout() -> Layout:
    shipped, prefix = shipped_layout(), get_settings().index_prefix
    renamed = {
        part: getattr(shipped, part).model_copy(
            update={key: prefix + getattr(getattr(shipped, part), key) for key in keys}
        )
        for part, keys in _NAMES.items()
    }
    return shipped.model_copy(
        update=renamed
        | {"erasure_requests": prefix + shipped.erasure_requests, "labels": prefix + shipped.labels}
    )
