"""An alert raised by a rule: produced to `alerts`, indexed in `murmure-alerts`, notified.

One alert is one episode of one rule for one group (branch, topic): it is opened once, updated
while it grows, and resolved once its condition has stayed false for the rule's cooldown. Every
notice of an episode carries the same `id`, so the indexed document is updated in place, and a
higher `sequence`, so an older notice never overwrites a newer one.
"""

from typing import Literal

from pydantic import Field

from schemas.base import Contract, PostText, ShownUrl, UtcDatetime


class AlertMention(Contract):
    """A representative post, redacted, so a notification never carries personal data."""

    id: str
    text_redacted: PostText
    created_at: UtcDatetime
    url: ShownUrl = None
    source: str | None = None


class Alert(Contract):
    schema_version: Literal[1] = 1
    id: str = Field(description="stable per rule, group and episode, so updates replace the alert")
    library_id: str | None = None
    rule_id: str
    description: str = ""
    condition: Literal["each", "count", "spike", "unanswered"] = "count"
    status: Literal["open", "update", "resolved"]
    sequence: int = Field(default=0, ge=0, description="0 when opened, then one more per notice")
    severity: Literal["info", "warning", "critical"]
    branch: str | None = None
    topic: str | None = None
    window_start: UtcDatetime
    window_end: UtcDatetime
    count: int = Field(ge=0, description="matching mentions in the window at this notice")
    total: int = Field(default=0, ge=0, description="matching mentions since the alert opened")
    baseline: float | None = Field(default=None, ge=0.0, description="spike: expected count")
    p_value: float | None = Field(default=None, ge=0.0, le=1.0)
    mentions: list[AlertMention] = Field(default_factory=list)
    search_url: str | None = None
    trigger_mention_id: str | None = Field(
        default=None, description="the mention that made the condition true"
    )
    raised_at: UtcDatetime = Field(description="when the condition became true (event time)")
    updated_at: UtcDatetime | None = Field(
        default=None, description="event time of this notice (open, update or resolution)"
    )
    resolved_at: UtcDatetime | None = None
    notify_after: UtcDatetime | None = Field(
        default=None, description="raised during the rule's quiet hours: notify at their end"
    )
    emitted_at: UtcDatetime | None = Field(
        default=None, description="wall-clock time the alerts worker produced this notice"
    )
    channels: list[str] = Field(default_factory=list)
