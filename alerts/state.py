"""The engine's memory: recent matching events per group and the open episode, as JSON.

Serialised one group per key, so the worker persists only what a batch changed (in the
compacted `alerts.state` topic) and a restart resumes exactly where the last commit left off.
"""

import bisect
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

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

    # `events` in time order, built once after loading then kept in order: a dense rule
    # (a network-wide spike) holds tens of thousands of events, too many to sort per mention.
    _times: list[datetime] | None = PrivateAttr(default=None)
    _ids: list[str] = PrivateAttr(default_factory=list)

    def sorted_times(self) -> list[datetime]:
        if self._times is None:
            order = sorted(self.events.items(), key=lambda item: (item[1], item[0]))
            self._times = [at for _, at in order]
            self._ids = [mention_id for mention_id, _ in order]
        return self._times

    def add_event(self, mention_id: str, at: datetime) -> None:
        times = self.sorted_times()
        position = bisect.bisect_right(times, at)
        times.insert(position, at)
        self._ids.insert(position, mention_id)
        self.events[mention_id] = at

    def drop_events_before(self, cutoff: datetime) -> bool:
        """Forgets events older than `cutoff`; says whether there were any."""
        times = self.sorted_times()
        old = bisect.bisect_left(times, cutoff)
        for mention_id in self._ids[:old]:
            del self.events[mention_id]
        del times[:old], self._ids[:old]
        return bool(old)


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
