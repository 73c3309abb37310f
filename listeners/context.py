"""What every source module gets and gives: a `Context` in, `Page`s out.

A source module exposes `poll(config, context, checkpoint) -> Iterator[Page]`; the runner
publishes each page, then saves its checkpoint. Sources never touch Kafka or the checkpoint file.
"""

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from pydantic import SecretStr, ValidationError

from bus.records import describe_error
from config.profile import Profile
from config.sources import RetryConfig
from listeners import retry
from listeners.checkpoints import State
from listeners.pseudonym import author_of
from schemas import Engagement, RawMention

log = logging.getLogger(__name__)
T = TypeVar("T")
Item = TypeVar("Item")

# What a malformed item raises while being read; anything else is a bug and propagates.
MALFORMED = (KeyError, TypeError, ValueError, AttributeError, IndexError, ValidationError)


@dataclass(frozen=True)
class Page:
    """Mentions from one answer of a network, and the checkpoint that holds once they are safe."""

    query: str
    mentions: list[RawMention]
    fetched: int
    malformed: int = 0
    state: State | None = None


Lookup = Callable[[str], State | None]


@dataclass
class Context:
    profile: Profile
    key: SecretStr
    stop: threading.Event = field(default_factory=threading.Event)
    # Login sessions kept between polls by sources that log in (Bluesky), in memory only: a new
    # login each poll would spend the network's login quota.
    sessions: dict[str, str] = field(default_factory=dict)

    def now(self) -> datetime:
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        """Interrupted by a stop request, so Ctrl-C never waits out a rate limit."""
        self.stop.wait(seconds)

    def call(
        self, fn: Callable[[], T], *, classify: retry.Classify, policy: RetryConfig, what: str
    ) -> T:
        return retry.call(fn, classify=classify, policy=policy, what=what, sleep=self.sleep)

    def mention(
        self,
        *,
        source: str,
        native_id: str,
        handle: str,
        text: str,
        created_at: datetime | str,
        query: str,
        url: str | None = None,
        likes: int | None = 0,
        shares: int | None = 0,
        replies: int | None = 0,
        lang: str | None = None,
        rating: int | None = None,
        in_reply_to: str | None = None,
        thread: str | None = None,
    ) -> RawMention:
        """A network's post as a mention, its author pseudonymised (`author_of`, which the replay
        of a recorded stream uses too)."""
        if not handle:
            raise ValueError("no author")
        return RawMention(
            source=source,
            native_id=str(native_id),
            url=url,
            author=author_of(self.profile, self.key, source, handle),
            text=text,
            created_at=parse_time(created_at),
            engagement=Engagement(likes=likes or 0, shares=shares or 0, replies=replies or 0),
            lang_hint=lang,
            query=query,
            rating=rating,
            in_reply_to=in_reply_to or None,
            thread=thread or None,
            fetched_at=self.now(),
        )


def parse_time(value: datetime | str) -> datetime:
    when = value if isinstance(value, datetime) else _parse_iso(value)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


def _parse_iso(value: str) -> datetime:
    if not isinstance(value, str):
        raise TypeError(f"expected a time, got {type(value).__name__}")
    text = value.strip().replace("Z", "+00:00")
    if len(text) > 5 and text[-5] in "+-" and text[-3] != ":":  # Graph API's +0000
        text = f"{text[:-2]}:{text[-2:]}"
    return datetime.fromisoformat(text)


def read_items(
    items: Iterable[Item],
    make: Callable[[Item], RawMention | list[RawMention] | None],
    *,
    where: str,
) -> tuple[list[RawMention], int]:
    """Builds mentions item by item: a malformed one is logged and skipped, the rest kept.

    `make` returns None for an item that is fine but not a mention (e.g. a rating without text),
    and a list for an item that holds its replies (a comment thread, a review and its answer).
    """
    mentions: list[RawMention] = []
    malformed = 0
    for number, item in enumerate(items):
        try:
            made = make(item)
        except MALFORMED as error:
            malformed += 1
            log.warning(
                "%s: item %d skipped as malformed: %s", where, number, describe_error(error)
            )
            continue
        if isinstance(made, list):
            mentions.extend(made)
        elif made is not None:
            mentions.append(made)
    return mentions, malformed


def dig(data: Any, *path: str | int) -> Any:
    """`data[a][b]…` that names the missing step in its KeyError."""
    for step in path:
        try:
            data = data[step]
        except (KeyError, IndexError, TypeError):
            raise KeyError(".".join(str(part) for part in path)) from None
    return data
