"""The engine's memory: recent matching events per group and the open episode, as JSON.

Serialised one group per key, so the worker persists only what a batch changed (in the
compacted `alerts.state` topic) and a restart resumes exactly where the last commit left off.
"""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from schemas.alert import AlertMention

META_KEY = "meta"


class _State(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Episode(_State):
    id: str
    sequence: int = 0
    raised_at: datetime
    trigger_mention_id: str
    total: int = 1
    noticed_total: int = 1
    holds_until: datetime
    count: int
    window_start: datetime
    window_end: datetime
    baseline: float | None = None
    p_value: float | None = None


class GroupState(_State):
    rule_id: str
    branch: str | None = None
    topic: str | None = None
    events: dict[str, datetime] = Field(default_factory=dict, description="mention id → time")
    recent: list[AlertMention] = Field(default_factory=list)
    episode: Episode | None = None
    closed_until: datetime | None = Field(
        default=None, description="the last episode's end: late mentions before it reopen nothing"
    )

    def sorted_times(self) -> list[datetime]:
        return sorted(self.events.values())


class Seen(_State):
    at: datetime
    id: str


class Meta(_State):
    """The alerts' clock. It moves to a time once `quorum` different mentions have reached it,
    so one mention with a wild date cannot resolve open alerts or make the others "late"."""

    started_at: datetime | None = None
    watermark: datetime | None = Field(
        default=None, description="the newest time that a quorum of mentions have reached"
    )
    newest: list[Seen] = Field(
        default_factory=list, description="the newest mentions seen, as many as the quorum"
    )

    @model_validator(mode="before")
    @classmethod
    def _one_voice(cls, data: Any) -> Any:
        # Saved when the clock was the newest date seen: that date counts as one mention only.
        if isinstance(data, dict) and data.get("watermark") and not data.get("newest"):
            data = data | {"watermark": None, "newest": [{"at": data["watermark"], "id": ""}]}
        return data

    def seen(self, at: datetime, mention_id: str, quorum: int) -> "Meta":
        if any(item.id == mention_id for item in self.newest):
            return self  # delivered twice: one voice
        newest = sorted([*self.newest, Seen(at=at, id=mention_id)], key=lambda s: s.at)[-quorum:]
        watermark = self.watermark
        if len(newest) == quorum and (watermark is None or newest[0].at > watermark):
            watermark = newest[0].at
        return self.model_copy(update={"newest": newest, "watermark": watermark})
