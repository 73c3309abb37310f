"""The library profile: one validated YAML file per library network.

Everything a library decides (branches, sources, alert rules, recipients, retention) lives here;
secrets never do, they come from the environment (see `config.secrets`).
"""

import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import (
    AfterValidator,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import ErrorDetails

from config.base import ProfileModel
from config.patterns import pattern_problem
from config.rules import AlertsConfig
from config.settings import get_settings
from config.sources import SourceConfig
from config.taxonomy import load_taxonomy

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)]
LanguageCode = Literal["fr", "en"]


Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
OpeningSpan = Annotated[
    str,
    Field(
        pattern=r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$", description="e.g. 10:00-18:00"
    ),
]


class Library(ProfileModel):
    id: Slug
    name: str = Field(min_length=1)
    languages: list[LanguageCode] = Field(default=["fr"], min_length=1)
    timezone: str = "Europe/Paris"
    opening_hours: dict[Weekday, list[OpeningSpan]] = Field(
        default_factory=dict,
        description="when staff are at the desk (local time): `unanswered` rules may count only "
        "these",
    )

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r} (expected e.g. 'Europe/Paris')"
            ) from None
        return value


class Branch(ProfileModel):
    id: Slug
    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return [self.name, *self.aliases]


class Area(ProfileModel):
    places: list[str] = Field(default_factory=list)


class Account(ProfileModel):
    """An account the library itself runs: kept in clear and flagged as an institution."""

    source: str = Field(min_length=1)
    handle: str = Field(min_length=1)


def _term(value: str) -> str:
    """A phrase, or `re:` and a pattern the safe engine runs (see `config.patterns`)."""
    if value.strip().startswith("re:") and (problem := pattern_problem(value.strip()[3:].strip())):
        raise ValueError(problem)
    return value


Term = Annotated[str, AfterValidator(_term)]


class TopicTerms(ProfileModel):
    fr: list[Term] = Field(default_factory=list)
    en: list[Term] = Field(default_factory=list)


class ExtraTopic(TopicTerms):
    id: Slug
    label: str = ""


class TopicsConfig(ProfileModel):
    """Extends the shipped taxonomy without code: new topics, or more terms for existing ones."""

    extra: list[ExtraTopic] = Field(default_factory=list)
    terms: dict[str, TopicTerms] = Field(default_factory=dict)


class SummariesConfig(ProfileModel):
    recipients: list[Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]] = Field(
        default_factory=list
    )
    language: LanguageCode = "fr"


class Profile(ProfileModel):
    library: Library
    branches: list[Branch] = Field(default_factory=list)
    area: Area = Field(default_factory=Area)
    accounts: list[Account] = Field(default_factory=list)
    hashtags: list[str] = Field(default_factory=list)
    exclude_terms: list[str] = Field(default_factory=list)
    topics: TopicsConfig = Field(default_factory=TopicsConfig)
    sources: list[SourceConfig] = Field(default_factory=list)
    alerts: AlertsConfig = Field(default_factory=AlertsConfig)
    summaries: SummariesConfig = Field(default_factory=SummariesConfig)
    retention_days: int = Field(default=365, ge=1, le=3650)

    @field_validator("branches", "sources")
    @classmethod
    def _unique_ids(cls, items: list[Branch] | list[SourceConfig], info: ValidationInfo) -> object:
        _require_unique((item.id for item in items), info.field_name or "")
        return items

    def problems(self) -> list[tuple[str, str]]:
        """Cross-references that field validation alone cannot see."""
        branch_ids = {branch.id for branch in self.branches}
        topic_ids = set(load_taxonomy().topic_ids) | {topic.id for topic in self.topics.extra}
        found = [
            (f"topics.terms.{topic}", f"unknown topic {topic!r}")
            for topic in self.topics.terms
            if topic not in topic_ids
        ]
        return found + self.alerts.problems(branch_ids=branch_ids, topic_ids=topic_ids)

    def branch(self, branch_id: str) -> Branch | None:
        return next((branch for branch in self.branches if branch.id == branch_id), None)

    def is_own_account(self, source: str, handle: str) -> bool:
        wanted = normalise_handle(handle)
        return any(
            account.source == source and normalise_handle(account.handle) == wanted
            for account in self.accounts
        )


def _require_unique(ids: Iterable[str], what: str) -> None:
    seen: set[str] = set()
    for item_id in ids:
        if item_id in seen:
            raise ValueError(f"duplicate id {item_id!r} in {what}")
        seen.add(item_id)


def normalise_handle(handle: str) -> str:
    return unicodedata.normalize("NFKC", handle).strip().lstrip("@").casefold()


class ProfileError(Exception):
    """A profile that cannot be used; `problems` holds one (field path, message) per error."""

    def __init__(self, path: Path, problems: list[tuple[str, str]]) -> None:
        self.path = path
        self.problems = problems
        lines = "\n".join(f"  {where}: {message}" for where, message in problems)
        super().__init__(f"{path}: {len(problems)} problem(s)\n{lines}")


def load_profile(path: Path | str) -> Profile:
    path = Path(path)
    limit = get_settings().profile_max_bytes
    try:
        with path.open("rb") as file:
            data = file.read(limit + 1)  # never more: a huge file is refused before parsing
    except OSError as error:
        raise ProfileError(
            path, [("(file)", f"cannot read the profile: {error.strerror}")]
        ) from None
    if len(data) > limit:
        message = (
            f"the profile is larger than {limit} bytes (MURMURE_PROFILE_MAX_BYTES); "
            "a network's profile is a few kilobytes"
        )
        raise ProfileError(path, [("(file)", message)])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ProfileError(path, [("(file)", "the profile is not valid UTF-8")]) from None
    try:
        parsed = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(yaml)"
        problem = getattr(error, "problem", None) or str(error)
        raise ProfileError(path, [(where, f"not valid YAML: {problem}")]) from None
    if not isinstance(parsed, dict):
        raise ProfileError(path, [("(root)", "the profile must be a mapping of sections")])
    try:
        profile = Profile.model_validate(parsed)
    except ValidationError as error:
        raise ProfileError(path, [_describe(item) for item in error.errors()]) from None
    if problems := profile.problems():
        raise ProfileError(path, problems)
    return profile


def _describe(item: ErrorDetails) -> tuple[str, str]:
    location = ".".join(str(part) for part in item["loc"])
    # Only pydantic's message: the input value may be a secret pasted in the wrong place.
    return location or "(root)", item["msg"].removeprefix("Value error, ")
