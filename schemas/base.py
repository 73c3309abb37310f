"""Shared model settings: strict, closed, and UTC-only timestamps."""

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Strict


def _require_utc(value: datetime) -> datetime:
    # Naive or non-UTC timestamps make weekly windows and retention silently wrong.
    if value.tzinfo is None or value.utcoffset() != UTC.utcoffset(None):
        raise ValueError("timestamp must be timezone-aware and in UTC")
    return value.astimezone(UTC)


# Lax on purpose: JSON carries ISO strings, and the id check re-validates parsed dicts.
UtcDatetime = Annotated[datetime, Strict(False), AfterValidator(_require_utc)]


class Contract(BaseModel):
    """Base of every bus message: unknown fields are errors, not silently dropped."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
