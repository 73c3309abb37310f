"""Mentions as they travel: `RawMention` on `mentions.raw`, `EnrichedMention` after NLP.

Dates are bounded: a post is not newer than when it was fetched, nor older than the networks
(`MURMURE_MAX_CLOCK_SKEW_S` and `MURMURE_OLDEST_POST`). One wild date would otherwise resolve
open alerts and make every later mention "late", or name an index no retention expires. A stage
that validates with `context={"received_at": now}` also refuses a fetch in its own future.
"""

from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import Field, ValidationInfo, computed_field, model_validator

from config.settings import get_settings
from schemas.analysis import Analysis
from schemas.base import Contract, PostText, UtcDatetime, WebUrl

SCHEMA_VERSION: Literal[1] = 1

SourceName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=32)]
NativeId = Annotated[str, Field(min_length=1, max_length=256, pattern=r"^[^\s]+$")]


def mention_id(source: str, native_id: str) -> str:
    """Deterministic, so a mention seen twice (replay, overlapping queries) is one record."""
    return f"{source}:{native_id}"


class Engagement(Contract):
    likes: int = Field(default=0, ge=0)
    shares: int = Field(default=0, ge=0)
    replies: int = Field(default=0, ge=0)


class Author(Contract):
    """Patrons are only ever a keyed-hash pseudonym; the library's own accounts stay in clear."""

    pseudonym: str = Field(min_length=1, max_length=128)
    institution: bool = False


class _MentionBase(Contract):
    schema_version: Literal[1] = SCHEMA_VERSION
    source: SourceName
    native_id: NativeId
    url: WebUrl | None = None
    author: Author
    created_at: UtcDatetime
    engagement: Engagement = Field(default_factory=Engagement)
    lang_hint: str | None = None
    query: str | None = Field(default=None, description="the listener query that matched")
    rating: int | None = Field(
        default=None,
        ge=1,
        le=5,
        description="stars given with a review of the library's own listing (Google reviews)",
    )
    in_reply_to: NativeId | None = Field(
        default=None,
        description="native id, on the same network, of the post or comment this one replies to",
    )
    thread: NativeId | None = Field(
        default=None,
        description="native id of the post that opened the conversation, where the network says it",
    )
    fetched_at: UtcDatetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def id(self) -> str:
        return mention_id(self.source, self.native_id)

    @model_validator(mode="before")
    @classmethod
    def _id_matches(cls, data: object) -> object:
        # Serialised mentions carry their id; it must agree with source and native id.
        if isinstance(data, dict) and "id" in data:
            data = dict(data)
            given = data.pop("id")
            expected = mention_id(str(data.get("source")), str(data.get("native_id")))
            if given != expected:
                raise ValueError(f"id {given!r} does not match source and native_id ({expected!r})")
        return data

    @model_validator(mode="after")
    def _plausible_dates(self, info: ValidationInfo) -> Self:
        settings = get_settings()
        skew = settings.max_clock_skew
        if self.created_at < settings.oldest_post:
            raise ValueError(
                f"created_at {_iso(self.created_at)} is before {_iso(settings.oldest_post)}: "
                "no network Murmure reads had posts then (MURMURE_OLDEST_POST)"
            )
        if self.created_at - self.fetched_at > skew:  # differences: no overflow near year 9999
            raise ValueError(
                f"created_at {_iso(self.created_at)} is after fetched_at "
                f"{_iso(self.fetched_at)} by more than the clock skew allowed "
                f"({skew}, MURMURE_MAX_CLOCK_SKEW_S): a post is not newer than its fetching"
            )
        received = (info.context or {}).get("received_at")
        if isinstance(received, datetime) and self.fetched_at - received > skew:
            raise ValueError(
                f"fetched_at {_iso(self.fetched_at)} is after {_iso(received)}, when this stage "
                f"received it, by more than the clock skew allowed ({skew})"
            )
        return self


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


class RawMention(_MentionBase):
    """A public post as a listener found it, author already pseudonymised."""

    text: PostText = Field(min_length=1, max_length=100_000)


class EnrichedMention(_MentionBase, Analysis):
    """A mention after NLP. The original text is dropped: only the redacted text travels on."""

    pipeline_version: str = Field(min_length=1)
    processed_at: UtcDatetime

    @model_validator(mode="after")
    def _processed_after_fetched(self) -> Self:
        if self.fetched_at - self.processed_at > get_settings().max_clock_skew:
            raise ValueError(
                f"processed_at {_iso(self.processed_at)} is before fetched_at "
                f"{_iso(self.fetched_at)}: a mention is enriched after it is fetched"
            )
        return self

    @classmethod
    def from_raw(
        cls, raw: RawMention, analysis: Analysis, *, pipeline_version: str, processed_at: datetime
    ) -> "EnrichedMention":
        fields = raw.model_dump(exclude={"text", "id"}) | analysis.model_dump()
        return cls.model_validate(
            fields | {"pipeline_version": pipeline_version, "processed_at": processed_at}
        )
