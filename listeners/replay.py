"""Replay of a recorded stream (JSON lines), for demos, load tests and re-ingestion.

Each line: source, native_id, url, author_handle, text, created_at (ISO 8601, UTC), likes,
shares, replies, lang_hint, rating (a review's stars). Authors are pseudonymised exactly as a
live listener does.
"""

import json
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from bus.records import describe_error
from config.profile import Profile
from config.sources import ReplaySource, SourceConfig
from listeners import retry
from listeners.context import Context, Lookup, Page
from listeners.pseudonym import author_of
from schemas import Engagement, RawMention

log = logging.getLogger(__name__)
SOURCE_NAME = "replay"


class RecordedPost(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str
    native_id: str
    url: str | None = None
    author_handle: str = Field(min_length=1)
    text: str
    created_at: datetime
    likes: int = Field(default=0, ge=0)
    shares: int = Field(default=0, ge=0)
    replies: int = Field(default=0, ge=0)
    lang_hint: str | None = None
    rating: int | None = None
    in_reply_to: str | None = None
    thread: str | None = None


@dataclass(frozen=True)
class BadLine:
    line: int
    error: str


def read_recording(path: Path) -> Iterator[tuple[int, dict[str, Any] | BadLine]]:
    with path.open(encoding="utf-8", errors="strict") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as error:
                yield number, BadLine(number, f"not JSON: {error.msg}")


def to_mention(
    post: dict[str, Any], *, profile: Profile, key: SecretStr, fetched_at: datetime
) -> RawMention:
    recorded = RecordedPost.model_validate(post)
    return RawMention(
        source=recorded.source,
        native_id=recorded.native_id,
        url=recorded.url,
        author=author_of(profile, key, recorded.source, recorded.author_handle),
        text=recorded.text,
        created_at=recorded.created_at.astimezone(UTC),
        engagement=Engagement(
            likes=recorded.likes, shares=recorded.shares, replies=recorded.replies
        ),
        lang_hint=recorded.lang_hint,
        rating=recorded.rating,
        in_reply_to=recorded.in_reply_to,
        thread=recorded.thread,
        query=SOURCE_NAME,
        fetched_at=fetched_at,
    )


def replay(
    path: Path, *, profile: Profile, key: SecretStr, speed: float = 0.0, after_line: int = 0
) -> Iterator[RawMention | BadLine]:
    """Yields mentions in file order; `speed` > 0 keeps the recorded gaps divided by it."""
    for _, item in numbered(path, profile=profile, key=key, speed=speed, after_line=after_line):
        yield item


def numbered(
    path: Path, *, profile: Profile, key: SecretStr, speed: float = 0.0, after_line: int = 0
) -> Iterator[tuple[int, RawMention | BadLine]]:
    previous: datetime | None = None
    for number, item in read_recording(path):
        if number <= after_line:
            continue
        if isinstance(item, BadLine):
            yield number, item
            continue
        try:
            mention = to_mention(item, profile=profile, key=key, fetched_at=datetime.now(UTC))
        except ValidationError as error:
            yield number, BadLine(number, describe_error(error))
            continue
        if speed > 0 and previous is not None:
            gap = (mention.created_at - previous).total_seconds() / speed
            if gap > 0:
                time.sleep(gap)
        previous = mention.created_at
        yield number, mention


def poll(config: SourceConfig, context: Context, checkpoint: Lookup) -> Iterator[Page]:
    """The replay as a listener source: pages of `batch` lines, resumable at the last line."""
    assert isinstance(config, ReplaySource)
    path = Path(config.path)
    if not path.is_file():
        raise retry.SourceUnavailableError(f"replay file not found: {path}")
    after = int((checkpoint(config.path) or {}).get("line", 0))
    size = 1 if config.speed > 0 else config.batch
    mentions: list[RawMention] = []
    bad = fetched = last = 0
    lines = numbered(
        path, profile=context.profile, key=context.key, speed=config.speed, after_line=after
    )
    for number, item in lines:
        fetched, last = fetched + 1, number
        if isinstance(item, BadLine):
            bad += 1
            log.warning("%s line %d skipped: %s", path, item.line, item.error)
        else:
            mentions.append(item)
        if fetched >= size:
            yield Page(config.path, mentions, fetched, bad, {"line": last})
            mentions, bad, fetched = [], 0, 0
        if context.stop.is_set():
            return
    if fetched:
        yield Page(config.path, mentions, fetched, bad, {"line": last})
