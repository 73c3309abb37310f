"""The weekly summary of an ISO week, as computed before it is rendered for managers."""

from typing import Literal

from pydantic import Field

from schemas.alert import AlertMention
from schemas.base import Contract, UtcDatetime


class Count(Contract):
    key: str
    count: int = Field(ge=0)


class TopicTrend(Contract):
    topic: str
    count: int = Field(ge=0)
    negative_share: float = Field(ge=0.0, le=1.0)
    change_vs_previous: float | None = None
    change_vs_4_weeks: float | None = None
    examples: list[AlertMention] = Field(default_factory=list)


class WeeklySentiment(Contract):
    week: str
    negative: int = Field(ge=0)
    neutral: int = Field(ge=0)
    positive: int = Field(ge=0)


class AlertRecap(Contract):
    alert_id: str
    rule_id: str
    raised_at: UtcDatetime
    resolved: bool


class OwnPost(Contract):
    id: str
    url: str | None = None
    likes: int = Field(ge=0)
    shares: int = Field(ge=0)
    replies: int = Field(ge=0)


class WeeklySummary(Contract):
    schema_version: Literal[1] = 1
    library_id: str
    week: str = Field(pattern=r"^\d{4}-W\d{2}$")
    language: Literal["fr", "en"] = "fr"
    mentions: int = Field(ge=0)
    relevant: int = Field(ge=0)
    complaints: int = Field(ge=0)
    by_source: list[Count] = Field(default_factory=list)
    by_branch: list[Count] = Field(default_factory=list)
    topics: list[TopicTrend] = Field(default_factory=list)
    sentiment_trend: list[WeeklySentiment] = Field(default_factory=list)
    emerging_terms: list[str] = Field(default_factory=list)
    alerts: list[AlertRecap] = Field(default_factory=list)
    own_posts: list[OwnPost] = Field(default_factory=list)
    generated_at: UtcDatetime
