"""Shared model settings and field types: strict, closed, UTC-only timestamps, and the text and
links of posts, which are untrusted."""

import re
import unicodedata
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, Strict


def _require_utc(value: datetime) -> datetime:
    # Naive or non-UTC timestamps make weekly windows and retention silently wrong.
    if value.tzinfo is None or value.utcoffset() != UTC.utcoffset(None):
        raise ValueError("timestamp must be timezone-aware and in UTC")
    return value.astimezone(UTC)


# Lax on purpose: JSON carries ISO strings, and the id check re-validates parsed dicts.
UtcDatetime = Annotated[datetime, Strict(False), AfterValidator(_require_utc)]

# C0 controls but tab, newline and carriage return, and DEL: no meaning in a post, and a NUL or
# an escape sequence breaks the HTML, e-mails and terminals that show posts.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def strip_control_characters(value: str) -> str:
    return _CONTROL.sub("", value)


def _post_text(value: str) -> str:
    cleaned = strip_control_characters(value)
    if value and not cleaned:
        raise ValueError("the text holds nothing but control characters")
    return cleaned


PostText = Annotated[str, AfterValidator(_post_text)]


def is_web_url(value: str) -> bool:
    """An absolute http(s) link without spaces or control characters: anything else (a
    `javascript:` or `data:` link) would run or mislead in the staff's browsers and e-mails."""
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return (
        parts.scheme.lower() in {"http", "https"}
        and bool(parts.hostname)
        and not any(char.isspace() or unicodedata.category(char) == "Cc" for char in value)
    )


def _web_url(value: str) -> str:
    if not is_web_url(value):
        raise ValueError("a post's link must be an absolute http(s) URL")
    return value


def _web_url_or_none(value: str | None) -> str | None:
    return value if value is not None and is_web_url(value) else None


WebUrl = Annotated[
    str, AfterValidator(_web_url), Field(description="an absolute http(s) URL, nothing else")
]
# What Murmure itself derives from mentions (alerts, summaries), or reads back from documents
# written before links were checked: a link that is not a web link is dropped, not refused.
ShownUrl = Annotated[
    str | None,
    AfterValidator(_web_url_or_none),
    Field(description="an absolute http(s) URL, or null"),
]


class Contract(BaseModel):
    """Base of every bus message: unknown fields are errors, not silently dropped."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
