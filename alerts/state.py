"""The engine's memory: recent matching events per group and the open episode, as JSON.

Serialised one group per key, so the worker persists only what a batch changed (in the
compacted `alerts.state` topic) and a restart resumes exactly where the last commit left off.
"""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

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


class Meta(_State):
    started_at: datetime | None = None
    watermark: datetime | None = Field(default=None, description="newest mention time seen")
