"""Alert rules and notification channels as a library writes them in its profile."""

import re
from datetime import timedelta
from typing import Annotated, Literal

from pydantic import AnyHttpUrl, Field, field_validator

from config.base import ProfileModel

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
    topics_any: list[str] = Field(default_factory=list)
    topics_all: list[str] = Field(default_factory=list)
    sentiment: list[Literal["negative", "neutral", "positive"]] = Field(default_factory=list)
    complaint: bool | None = None
    branches: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    languages: list[Literal["fr", "en", "other"]] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    regex: str | None = None

    @field_validator("regex")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as error:
                raise ValueError(f"invalid regular expression: {error}") from None
        return value


class EachCondition(_RuleModel):
    type: Literal["each"]


class CountCondition(_RuleModel):
    type: Literal["count"]
    min_count: int = Field(ge=1)
    window: Duration


class SpikeCondition(_RuleModel):
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
    cooldown: Duration = "6h"
    quiet_hours: QuietHours | None = None
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


Channel = Annotated[EmailChannel | WebhookChannel, Field(discriminator="type")]


class AlertsConfig(_RuleModel):
    webhook_allowlist: list[AnyHttpUrl] = Field(default_factory=list)
    channels: list[Channel] = Field(default_factory=list)
    rules: list[Rule] = Field(default_factory=list)

    def problems(self, *, branch_ids: set[str], topic_ids: set[str]) -> list[tuple[str, str]]:
        """References to branches, topics and channels, checked once the whole profile is read."""
        channel_ids = {channel.id for channel in self.channels}
        found: list[tuple[str, str]] = []
        for index, rule in enumerate(self.rules):
            where = f"alerts.rules.{index}"
            for name in rule.filter.branches:
                if name not in branch_ids:
                    known = ", ".join(sorted(branch_ids)) or "none defined"
                    message = f"unknown branch {name!r} (known: {known})"
                    found.append((f"{where}.filter.branches", message))
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
