"""Mentions as they travel: `RawMention` on `mentions.raw`, `EnrichedMention` after NLP."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, computed_field, model_validator

from schemas.analysis import Analysis
from schemas.base import Contract, UtcDatetime

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
    url: str | None = None
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


class RawMention(_MentionBase):
    """A public post as a listener found it, author already pseudonymised."""

    text: str = Field(min_length=1, max_length=100_000)


class EnrichedMention(_MentionBase, Analysis):
    """A mention after NLP. The original text is dropped: only the redacted text travels on."""

    pipeline_version: str = Field(min_length=1)
    processed_at: UtcDatetime

    @classmethod
    def from_raw(
        cls, raw: RawMention, analysis: Analysis, *, pipeline_version: str, processed_at: datetime
    ) -> "EnrichedMention":
        fields = raw.model_dump(exclude={"text", "id"}) | analysis.model_dump()
        return cls.model_validate(
            fields | {"pipeline_version": pipeline_version, "processed_at": processed_at}
        )
