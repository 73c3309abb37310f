"""The weekly summary of an ISO week, as computed before it is rendered for managers.

Figures come from Elasticsearch aggregations over the week (Monday 00:00 to Monday 00:00 in the
library's time zone); the rendering (e-mail, file) only formats them.
"""

from typing import Annotated, Literal

from pydantic import Field

from schemas.alert import AlertMention
from schemas.base import Contract, PostText, ShownUrl, UtcDatetime

IsoWeek = Annotated[str, Field(pattern=r"^\d{4}-W\d{2}$")]


class Count(Contract):
    key: str
    count: int = Field(ge=0)


class BranchCount(Contract):
    key: str = Field(description="branch id, or `(none)` when no branch was recognised")
    count: int = Field(ge=0, description="relevant mentions")
    complaints: int = Field(ge=0)


class TopicTrend(Contract):
    topic: str
    count: int = Field(ge=0, description="relevant mentions of the topic this week")
    negative: int = Field(ge=0)
    complaints: int = Field(ge=0)
    negative_share: float = Field(ge=0.0, le=1.0)
    previous_count: int = Field(ge=0)
    previous_negative: int = Field(ge=0)
    average_count: float = Field(ge=0.0, description="mean over the baseline weeks before")
    average_negative: float = Field(ge=0.0)
    change_vs_previous: float | None = Field(
        default=None, description="relative change of the count; None when last week had none"
    )
    change_vs_4_weeks: float | None = Field(
        default=None, description="relative change of the count against the baseline mean"
    )
    deterioration: float = Field(
        description="negative mentions this week minus their baseline mean: the ranking key"
    )
    weekly_counts: list[int] = Field(
        default_factory=list, description="counts over the trend weeks, oldest first"
    )
    examples: list[AlertMention] = Field(
        default_factory=list, description="typical complaint posts, redacted"
    )


class WeeklySentiment(Contract):
    week: IsoWeek
    negative: int = Field(ge=0)
    neutral: int = Field(ge=0)
    positive: int = Field(ge=0)


class EmergingTerm(Contract):
    term: str
    count: int = Field(ge=0, description="relevant mentions of the week holding the term")
    background: int = Field(ge=0, description="mentions holding it over the baseline weeks")
    score: float


class AlertRecap(Contract):
    alert_id: str
    rule_id: str
    severity: str | None = None
    branch: str | None = None
    topic: str | None = None
    count: int = Field(default=0, ge=0)
    raised_at: UtcDatetime
    resolved: bool


class OwnPost(Contract):
    id: str
    source: str
    url: ShownUrl = None
    text: PostText = Field(default="", description="the library's own public post (in clear)")
    created_at: UtcDatetime
    likes: int = Field(ge=0)
    shares: int = Field(ge=0)
    replies: int = Field(ge=0)


class ModelUse(Contract):
    """A learned model that tagged mentions of the summary's weeks (from their pipeline_version)."""

    model: str
    first: UtcDatetime = Field(description="the earliest mention it tagged, by post date")
    last: UtcDatetime
    mentions: int = Field(ge=0)


class Responsiveness(Contract):
    """How the library answered the patrons' questions or complaints posted in one week."""

    week: IsoWeek
    kind: Literal["question", "complaint"]
    posts: int = Field(ge=0)
    answered: int = Field(ge=0, description="answered by one of the library's accounts")
    median_delay_s: float | None = Field(default=None, ge=0.0, description="None: none answered")


class WeeklySummary(Contract):
    schema_version: Literal[1] = 1
    library_id: str
    library_name: str = ""
    week: IsoWeek
    week_start: UtcDatetime
    week_end: UtcDatetime
    timezone: str = "Europe/Paris"
    language: Literal["fr", "en"] = "fr"
    mentions: int = Field(ge=0)
    relevant: int = Field(ge=0)
    complaints: int = Field(ge=0)
    previous_mentions: int = Field(default=0, ge=0)
    previous_complaints: int = Field(default=0, ge=0)
    by_source: list[Count] = Field(default_factory=list)
    by_branch: list[BranchCount] = Field(default_factory=list)
    topics: list[TopicTrend] = Field(
        default_factory=list, description="ranked by deterioration, worst first"
    )
    trend_weeks: list[str] = Field(default_factory=list, description="oldest first")
    sentiment_trend: list[WeeklySentiment] = Field(default_factory=list)
    emerging_terms: list[EmergingTerm] = Field(default_factory=list)
    alerts: list[AlertRecap] = Field(default_factory=list)
    own_posts: list[OwnPost] = Field(default_factory=list)
    models: list[ModelUse] = Field(
        default_factory=list,
        description="models that tagged the trend weeks' mentions, oldest first: more than one "
        "means the tagging changed during those weeks",
    )

    responses: list[Responsiveness] = Field(
        default_factory=list, description="per trend week (oldest first) and kind"
    )
    waiting: list[AlertMention] = Field(
        default_factory=list,
        description="questions and complaints still unanswered after `waiting_after_hours`, "
        "oldest first, redacted",
    )
    waiting_total: int = Field(default=0, ge=0)
    generated_at: UtcDatetime
