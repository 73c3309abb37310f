"""An alert raised by a rule: produced to `alerts`, indexed in `murmure-alerts`, notified."""

from typing import Literal

from pydantic import Field

from schemas.base import Contract, UtcDatetime


class AlertMention(Contract):
    """A representative post, redacted, so a notification never carries personal data."""

    id: str
    text_redacted: str
    created_at: UtcDatetime
    url: str | None = None


class Alert(Contract):
    schema_version: Literal[1] = 1
    id: str = Field(description="stable per rule, group and episode, so updates replace the alert")
    rule_id: str
    status: Literal["open", "update", "resolved"]
    severity: Literal["info", "warning", "critical"]
    branch: str | None = None
    topic: str | None = None
    window_start: UtcDatetime
    window_end: UtcDatetime
    count: int = Field(ge=0)
    baseline: float | None = Field(default=None, ge=0.0)
    mentions: list[AlertMention] = Field(default_factory=list)
    search_url: str | None = None
    raised_at: UtcDatetime
