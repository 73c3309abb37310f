"""Rate limits and errors, handled once around every call a listener makes to a network.

Each source says how to read its client's errors (`Classify`); the waiting is the same for all:
the network's own reset time when it gives one, otherwise exponential backoff with jitter,
capped in tries and in length.
"""

import email.utils
import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from config.sources import RetryConfig

log = logging.getLogger(__name__)
T = TypeVar("T")

# Headers that networks use to say when to come back, most specific first.
RESET_HEADERS = ("retry-after", "x-rate-limit-reset", "x-ratelimit-reset", "ratelimit-reset")
_EPOCH_AFTER = 1_000_000_000  # a reset value this large is a Unix time, not a delay


@dataclass(frozen=True)
class Verdict:
    """What a failed call means: try again (after `wait` seconds if the network said) or not."""

    retryable: bool
    reason: str
    wait: float | None = None
    rate_limited: bool = False


Classify = Callable[[BaseException], Verdict | None]


class SourceUnavailableError(Exception):
    """A call failed for good this poll; the checkpoint is untouched, the next poll resumes."""


class StreamNotAllowedError(SourceUnavailableError):
    """The access level or the instance refuses streaming: the runner polls instead."""


def wait_from_headers(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds until the network lets us back in, from whichever reset header it sends."""
    now = time.time() if now is None else now
    lowered = {name.lower(): value for name, value in headers.items()}
    for name in RESET_HEADERS:
        value = lowered.get(name)
        if value is None:
            continue
        seconds = _parse_reset(value.strip(), now)
        if seconds is not None:
            return max(0.0, seconds)
    return None


def _parse_reset(value: str, now: float) -> float | None:
    try:
        number = float(value)
    except ValueError:
        pass
    else:
        return number - now if number > _EPOCH_AFTER else number
    try:  # an HTTP date (Retry-After) or an ISO 8601 time (Mastodon)
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        try:
            when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.timestamp() - now


def backoff(attempt: int, policy: RetryConfig) -> float:
    """Equal jitter: a random wait between half and all of base·2^attempt (capped), so clients
    restarting together spread out yet each still waits."""
    ceiling = min(policy.max_backoff_seconds, policy.backoff_seconds * 2**attempt)
    return random.uniform(ceiling / 2, ceiling)


def call(
    fn: Callable[[], T],
    *,
    classify: Classify,
    policy: RetryConfig,
    what: str,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Runs `fn`, retrying what `classify` may retry; else raises SourceUnavailableError."""
    for attempt in range(policy.tries):
        try:
            return fn()
        except Exception as error:
            failure = classify(error)
            if failure is None:
                raise
            last = attempt == policy.tries - 1
            if not failure.retryable or last:
                raise SourceUnavailableError(f"{what}: {failure.reason}") from error
            wait = failure.wait if failure.wait is not None else backoff(attempt, policy)
            if failure.rate_limited and failure.wait is None:
                wait = max(wait, policy.backoff_seconds)
            if wait > policy.max_wait_seconds:
                raise SourceUnavailableError(
                    f"{what}: {failure.reason}; reset in {wait:.0f}s, past max_wait_seconds"
                ) from error
            log.warning(
                "%s: %s; retry %d/%d in %.1fs",
                what,
                failure.reason,
                attempt + 1,
                policy.tries - 1,
                wait,
            )
            sleep(wait)
    raise AssertionError("unreachable: tries >= 1")


def status_failure(status: int, headers: Mapping[str, str], reason: str) -> Verdict:
    """The shared reading of an HTTP status: 429 and 5xx are worth retrying, other 4xx are not."""
    if status == 429:
        return Verdict(True, reason, wait_from_headers(headers), rate_limited=True)
    if status >= 500 or status == 408:
        return Verdict(True, reason, wait_from_headers(headers) if status == 503 else None)
    return Verdict(False, reason)
