"""Runs sources: publish each page to Kafka, then save its checkpoint, then count.

One source failing is logged, counted and retried later; the others go on. A source killed at
any point resumes from its last checkpoint: pages after it are fetched again and collapse on
their mention ids.
"""

import importlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Protocol

from kafka import KafkaProducer

from config.sources import SourceConfig
from listeners import metrics, retry
from listeners.checkpoints import Checkpoints
from listeners.context import Context, Lookup, Page
from listeners.publish import publish

log = logging.getLogger(__name__)

MODULES = {
    "x": "listeners.x",
    "mastodon": "listeners.mastodon",
    "bluesky": "listeners.bluesky",
    "rss": "listeners.rss",
    "reddit": "listeners.reddit",
    "google_reviews": "listeners.google_reviews",
    "facebook": "listeners.facebook",
    "instagram": "listeners.instagram",
    "youtube": "listeners.youtube",
    "replay": "listeners.replay",
}


class Poll(Protocol):
    def __call__(
        self, config: SourceConfig, context: Context, checkpoint: Lookup
    ) -> Iterator[Page]: ...


def source_module(config: SourceConfig) -> ModuleType:
    return importlib.import_module(MODULES[config.type])


@dataclass
class SourceReport:
    source_id: str
    type: str
    fetched: int = 0
    published: int = 0
    malformed: int = 0
    duplicates: int = 0
    error: str | None = None
    exception: Exception | None = None


class RecentIds:
    """Mention ids published lately by this process: overlapping queries send each once."""

    def __init__(self, size: int = 100_000) -> None:
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def fresh(self, ids: list[str]) -> set[str]:
        with self._lock:
            return {item for item in ids if item not in self._ids}

    def add(self, ids: list[str]) -> None:
        with self._lock:
            for item in ids:
                self._ids[item] = None
                self._ids.move_to_end(item)
            while len(self._ids) > self._size:
                self._ids.popitem(last=False)


OnPage = Callable[[SourceReport, Page], None]


def run_pages(
    config: SourceConfig,
    pages: Iterator[Page],
    *,
    producer: KafkaProducer,
    checkpoints: Checkpoints,
    recent: RecentIds,
    on_page: OnPage | None = None,
) -> SourceReport:
    """Publishes pages as they come; returns what happened, failure included, never raises."""
    report = SourceReport(config.id, config.type)
    label = config.id
    try:
        for page in pages:
            fresh_ids = recent.fresh([m.id for m in page.mentions])
            unique = {m.id: m for m in page.mentions if m.id in fresh_ids}
            published = publish(producer, unique.values())
            recent.add(list(unique))
            if page.state is not None:
                checkpoints.save(config.id, page.query, page.state)
            report.fetched += page.fetched
            report.published += published
            report.malformed += page.malformed
            report.duplicates += len(page.mentions) - published
            metrics.FETCHED.labels(label).inc(page.fetched)
            metrics.PUBLISHED.labels(label).inc(published)
            metrics.MALFORMED.labels(label).inc(page.malformed)
            if on_page:
                on_page(report, page)
    except Exception as error:  # one source failing must not stop the others
        report.error = str(error) or type(error).__name__
        report.exception = error
        metrics.FAILURES.labels(label).inc()
        metrics.FAILING.labels(label).set(1)
        log.error("source %s failed: %s", config.id, report.error, exc_info=_trace(error))
        return report
    finally:
        close = getattr(pages, "close", None)
        if close:
            close()
    metrics.FAILING.labels(label).set(0)
    metrics.LAST_SUCCESS.labels(label).set(time.time())
    return report


def _trace(error: Exception) -> bool:
    """Known failures (network, credentials) need no traceback; anything else does."""
    from config.secrets import MissingSecretError

    return not isinstance(error, retry.SourceUnavailableError | MissingSecretError)


def poll_once(
    config: SourceConfig,
    context: Context,
    *,
    producer: KafkaProducer,
    checkpoints: Checkpoints,
    recent: RecentIds,
    on_page: OnPage | None = None,
) -> SourceReport:
    poll: Poll = source_module(config).poll

    def pages() -> Iterator[Page]:
        yield from poll(config, context, lambda query: checkpoints.get(config.id, query))

    return run_pages(
        config,
        pages(),
        producer=producer,
        checkpoints=checkpoints,
        recent=recent,
        on_page=on_page,
    )


def listen_forever(
    config: SourceConfig,
    context: Context,
    *,
    producer: KafkaProducer,
    checkpoints: Checkpoints,
    recent: RecentIds,
    on_page: OnPage | None = None,
) -> None:
    """Polls every `poll_seconds`, or streams where configured, until `context.stop` is set.

    A stream first polls (to fill what it missed while disconnected), then reads until the
    connection drops, then reconnects after a backoff.
    """
    module = source_module(config)
    streaming = bool(getattr(config, "stream", False)) and hasattr(module, "stream")
    failures = 0
    while not context.stop.is_set():
        report = poll_once(
            config,
            context,
            producer=producer,
            checkpoints=checkpoints,
            recent=recent,
            on_page=on_page,
        )
        if streaming and report.error is None:
            pages = module.stream(config, context, lambda q: checkpoints.get(config.id, q))
            report = run_pages(
                config,
                pages,
                producer=producer,
                checkpoints=checkpoints,
                recent=recent,
                on_page=on_page,
            )
            if isinstance(report.exception, retry.StreamNotAllowedError):
                log.warning("%s: streaming refused, polling instead", config.id)
                streaming = False
                report.error = report.exception = None
        failures = failures + 1 if report.error else 0
        if failures:
            delay = min(config.poll_seconds, retry.backoff(failures, config.retry))
        else:
            delay = 0.0 if streaming else config.poll_seconds
        context.stop.wait(delay)
