"""Alert rules and notification channels as a library writes them in its profile."""

import re
from datetime import timedelta
from typing import Annotated, Literal

from pydantic import AnyHttpUrl, Field, field_validator

from config.base import ProfileModel
from config.patterns import pattern_problem

Duration = Annotated[str, Field(pattern=r"^\d+[mhdw]$", description="e.g. 30m, 2h, 1d, 1w")]
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(text: str) -> timedelta:
    match = re.fullmatch(r"(\d+)([mhdw])", text)
    if match is None:
        raise ValueError(f"not a duration: {text!r} (expected e.g. 30m, 2h, 1d, 1w)")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


class _RuleModel(ProfileModel):
    """Rule sections share the profile's closed, secret-free base."""


class RuleFilter(_RuleModel):
    """Every listed criterion must hold; an empty list means "any"."""

    topics_any: list[str] = Field(default_factory=list)
    topics_all: list[str] = Field(default_factory=list)
    sentiment: list[Literal["negative", "neutral", "positive"]] = Field(default_factory=list)
    complaint: bool | None = None
    branches: list[str] = Field(default_factory=list)
    exclude_branches: list[str] = Field(
        default_factory=list, description="branches left to rules of their own"
    )
    sources: list[str] = Field(default_factory=list)
    languages: list[Literal["fr", "en", "other"]] = Field(default_factory=list)
    keywords: list[str] = Field(
        default_factory=list, description="any of these words, in the redacted text"
    )
    regex: str | None = Field(
        default=None, description="searched in the redacted text, case-insensitive, by RE2"
    )
    institutions: bool = Field(
        default=False, description="also match the library's own accounts (notices, events)"
    )

    @field_validator("regex")
    @classmethod
    def _runs_safely(cls, value: str | None) -> str | None:
        if value is not None and (problem := pattern_problem(value)):
            raise ValueError(problem)
        return value


class EachCondition(_RuleModel):
    """Every matching mention: the first opens an alert, later ones within the cooldown join it."""

    type: Literal["each"]


class CountCondition(_RuleModel):
    """At least `min_count` matching mentions within any sliding `window`."""

    type: Literal["count"]
    min_count: int = Field(ge=1)
    window: Duration


class SpikeCondition(_RuleModel):
    """The sliding `window` against the mean of the `baseline_windows` before it (Poisson test).

    `min_count` keeps small numbers quiet: two mentions after an empty week are not a spike.
    """

    type: Literal["spike"]
    window: Duration
    baseline_windows: int = Field(default=7, ge=1, le=90)
    min_count: int = Field(default=3, ge=1)
    p_value: float = Field(default=0.01, gt=0.0, lt=1.0)


Condition = Annotated[EachCondition | CountCondition | SpikeCondition, Field(discriminator="type")]


class QuietHours(_RuleModel):
    start: Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
    end: Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]


class Rule(_RuleModel):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")]
    description: str = ""
    enabled: bool = True
    filter: RuleFilter = Field(default_factory=RuleFilter)
    condition: Condition
    severity: Literal["info", "warning", "critical"] = "warning"
    cooldown: Duration = Field(
        default="6h",
        description="how long the condition must stay false before the alert is resolved; "
        "matches within it join the same alert instead of raising a new one",
    )
    group_by: list[Literal["branch", "topic"]] = Field(
        default=["branch", "topic"],
        description="one alert per rule and value of these fields ([] for one per rule)",
    )
    update_growth: float = Field(
        default=2.0,
        ge=1.0,
        description="an open alert is updated when its mentions have grown by this factor "
        "since the last notice (1: at every new mention)",
    )
    quiet_hours: QuietHours | None = Field(
        default=None,
        description="library local time: alerts are indexed at once, notified when they end",
    )
    channels: list[str] = Field(default_factory=list)


class UnansweredRule(_RuleModel):
    """Kind `unanswered`: reminds once per patron's question or complaint still without an
    answer from the library's accounts after `after`, and resolves the reminder once answered.

    With `opening_hours_only`, only the library's opening hours (`library.opening_hours`) count:
    a question asked on Saturday evening is due on Monday, not on Sunday night.
    """

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")]
    description: str = ""
    enabled: bool = True
    kinds: list[Literal["question", "complaint"]] = Field(
        default=["question", "complaint"], min_length=1
    )
    filter: RuleFilter = Field(default_factory=RuleFilter)
    after: Duration = Field(description="how long a post may wait for an answer")
    opening_hours_only: bool = False
    max_age: Duration = Field(
        default="14d", description="older posts are not reminded about (a first run, a replay)"
    )
    severity: Literal["info", "warning", "critical"] = "info"
    channels: list[str] = Field(default_factory=list)


class EmailChannel(_RuleModel):
    id: str
    type: Literal["email"]
    to: list[Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]] = Field(min_length=1)
    language: Literal["fr", "en"] = "fr"


class WebhookChannel(_RuleModel):
    id: str
    type: Literal["webhook"]
    flavour: Literal["mattermost", "slack", "teams", "generic"] = "generic"
    url_env: Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_]*$")] = Field(
        description="environment variable holding the webhook URL (it embeds a secret token)"
    )
    quote_chars: int = Field(
        default=280, ge=40, le=4000, description="a quoted post longer than this is shortened"
    )


Channel = Annotated[EmailChannel | WebhookChannel, Field(discriminator="type")]


class Delivery(_RuleModel):
    """Bounded retries, so a failing channel is given up on instead of holding the others."""

    attempts: int = Field(default=4, ge=1, le=20)
    first_delay_s: float = Field(default=1.0, ge=0.0)
    max_delay_s: float = Field(default=30.0, ge=0.0)
    timeout_s: float = Field(default=10.0, gt=0.0)


class AlertsConfig(_RuleModel):
    webhook_allowlist: list[AnyHttpUrl] = Field(
        default_factory=list, description="webhook URLs must start with one of these"
    )
    channels: list[Channel] = Field(default_factory=list)
    rules: list[Rule] = Field(default_factory=list)
    unanswered: list[UnansweredRule] = Field(
        default_factory=list, description="rules of kind `unanswered`: reminders per post"
    )
    late_after: Duration = Field(
        default="6h",
        description="mentions older than this behind the alerts' clock are not alerted on",
    )
    clock_quorum: int = Field(
        default=2,
        ge=1,
        le=100,
        description="the alerts' clock moves to a time once this many mentions have reached it: "
        "one mention with a wild date cannot resolve open alerts nor make the others late",
    )
    max_mentions: int = Field(
        default=5, ge=1, le=50, description="representative mentions carried by an alert"
    )
    delivery: Delivery = Field(default_factory=Delivery)

    @field_validator("rules")
    @classmethod
    def _unique_rule_ids(cls, rules: list[Rule]) -> list[Rule]:
        seen: set[str] = set()
        for rule in rules:
            if rule.id in seen:
                raise ValueError(f"duplicate rule id {rule.id!r}")
            seen.add(rule.id)
        return rules

    @field_validator("channels")
    @classmethod
    def _unique_channel_ids(cls, channels: list[Channel]) -> list[Channel]:
        ids = [channel.id for channel in channels]
        if duplicates := sorted({name for name in ids if ids.count(name) > 1}):
            raise ValueError(f"duplicate channel id(s): {', '.join(duplicates)}")
        return channels

    def rule(self, rule_id: str) -> Rule | None:
        return next((rule for rule in self.rules if rule.id == rule_id), None)

    def channel(self, channel_id: str) -> "Channel | None":
        return next((channel for channel in self.channels if channel.id == channel_id), None)

    def problems(self, *, branch_ids: set[str], topic_ids: set[str]) -> list[tuple[str, str]]:
        """References to branches, topics and channels, checked once the whole profile is read."""
        channel_ids = {channel.id for channel in self.channels}
        found: list[tuple[str, str]] = []
        rules: list[tuple[str, Rule | UnansweredRule]]
        rules = [(f"alerts.rules.{i}", rule) for i, rule in enumerate(self.rules)]
        rules += [(f"alerts.unanswered.{i}", rule) for i, rule in enumerate(self.unanswered)]
        for where, rule in rules:
            for field in ("branches", "exclude_branches"):
                for name in getattr(rule.filter, field):
                    if name not in branch_ids:
                        known = ", ".join(sorted(branch_ids)) or "none defined"
                        message = f"unknown branch {name!r} (known: {known})"
                        found.append((f"{where}.filter.{field}", message))
            topic_fields = {
                "topics_any": rule.filter.topics_any,
                "topics_all": rule.filter.topics_all,
            }
            for field, topics in topic_fields.items():
                found.extend(
                    (f"{where}.filter.{field}", f"unknown topic {topic!r}")
                    for topic in topics
                    if topic not in topic_ids
                )
            found.extend(
                (f"{where}.channels", f"unknown channel {name!r}")
                for name in rule.channels
                if name not in channel_ids
            )
        return found
