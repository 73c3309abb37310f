"""The loop every stage worker runs: consume → process → dead-letter → commit.

Offsets are committed only after the stage's output (and any dead letters) are acknowledged, so
a crash at any point redoes uncommitted work; stages write idempotently, so redoing is harmless.
"""

import logging
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from kafka import KafkaConsumer, KafkaProducer
from kafka.errors import CommitFailedError, KafkaError

from bus.dlq import send_to_dlq
from bus.kafka import make_consumer, make_producer
from bus.metrics import DEAD_LETTERS, FAILED, LAG, PROCESSED, serve_metrics
from bus.records import Failure, TransientError
from bus.topics import TopicKey

log = logging.getLogger(__name__)

# A handler may extend the list it is given with records it polls (see `poll_more`): they
# are then part of the batch, retried, counted and committed with it.
Handler = Callable[[list[Any]], list[Failure]]
T = TypeVar("T")


@dataclass(frozen=True)
class Backoff:
    first: float = 0.5
    factor: float = 2.0
    ceiling: float = 30.0

    def delays(self) -> Iterator[float]:
        delay = self.first
        while True:
            yield delay
            delay = min(delay * self.factor, self.ceiling)


def stop_on_signals() -> threading.Event:
    """SIGTERM/SIGINT finish the current batch, commit it, then stop."""
    stop = threading.Event()

    def _request_stop(signum: int, _frame: object) -> None:
        log.info("stop requested by signal %s: finishing the current batch", signum)
        stop.set()

    signal.signal(signal.SIGTERM, _request_stop)
    signal.signal(signal.SIGINT, _request_stop)
    return stop


def run_worker(
    *,
    stage: str,
    consumer: KafkaConsumer,
    dlq_producer: KafkaProducer,
    handle: Handler,
    stop: threading.Event,
    batch_size: int,
    poll_timeout_ms: int = 500,
    backoff: Backoff = Backoff(),
    handle_idle: bool = False,
    commit_offsets: bool = True,
) -> int:
    """Runs until `stop` is set; returns the number of messages committed.

    `handle_idle`: also call `handle([])` when a poll brings nothing (a stage that holds
    records back gets to release them). `commit_offsets=False`: `handle` commits the offsets
    itself (in a Kafka transaction, possibly short of what it received)."""
    committed = 0
    waits = backoff.delays()
    while not stop.is_set():
        try:
            polled = consumer.poll(timeout_ms=poll_timeout_ms, max_records=batch_size)
        except KafkaError as error:
            # Kafka restarting: nothing was taken yet, and the client may give up a metadata
            # refresh instead of waiting.
            wait = next(waits)
            log.warning("poll failed (%s); polling again in %.1fs", error, wait)
            stop.wait(wait)
            continue
        waits = backoff.delays()
        records = _records(polled)
        if not records:
            _report_lag(stage, consumer)
            if not handle_idle:
                continue
        handled = _with_retries(stage, partial(handle, records), stop, backoff)
        if handled is None:
            break  # stopped while the batch could not be written: nothing committed, redone later
        (failures,) = handled
        if failures:
            dead_letter = partial(send_to_dlq, dlq_producer, stage, failures)
            if _with_retries(stage, dead_letter, stop, backoff) is None:
                break  # stopped while Kafka refused the dead letters: redone later
            DEAD_LETTERS.labels(stage).inc(len(failures))
            for failure in failures:
                log.warning(
                    "dead-lettered %s[%d]@%d: %s",
                    failure.record.topic,
                    failure.record.partition,
                    failure.record.offset,
                    failure.error,
                )
        try:
            if commit_offsets:
                consumer.commit()
        except (CommitFailedError, KafkaError) as error:
            # A rebalance took the partitions away: their new owner redoes the batch.
            log.warning("commit failed (%s): the batch will be redone", error)
            continue
        committed += len(records)
        PROCESSED.labels(stage).inc(len(records) - len(failures))
        _report_lag(stage, consumer)
    return committed


def poll_more(consumer: KafkaConsumer) -> Callable[[int], list[Any]]:
    """Records already fetched, without waiting: for a handler that takes more as it works."""

    def more(limit: int) -> list[Any]:
        return _records(consumer.poll(timeout_ms=0, max_records=limit))

    return more


def _records(polled: dict[Any, list[Any]]) -> list[Any]:
    return [record for batch in polled.values() for record in batch]


def serve(
    *,
    stage: str,
    group: str,
    topic_key: TopicKey,
    batch_size: int,
    metrics_port: int,
    make_handler: Callable[[KafkaProducer, KafkaConsumer], Handler],
) -> None:
    """A stage's long-running process: metrics, consumer, dead-letter producer, clean stop.

    The handler gets the consumer too: it may poll more records while it works on the batch
    (they are committed with it, after `handle` returns)."""
    serve_metrics(metrics_port)
    consumer = make_consumer(group, topic_key, max_poll_records=batch_size)
    producer = make_producer()
    try:
        run_worker(
            stage=stage,
            consumer=consumer,
            dlq_producer=producer,
            handle=make_handler(producer, consumer),
            stop=stop_on_signals(),
            batch_size=batch_size,
        )
    finally:
        consumer.close()
        producer.close()


def _with_retries(
    stage: str, step: Callable[[], T], stop: threading.Event, backoff: Backoff
) -> tuple[T] | None:
    """`step`'s result, once it succeeds; None if stopped first (nothing is committed then)."""
    for delay in backoff.delays():
        try:
            return (step(),)
        except (TransientError, KafkaError) as error:
            FAILED.labels(stage).inc()
            log.warning("batch not written (%s); retrying in %.1fs", error, delay)
        if stop.wait(delay):
            return None
    return None  # unreachable: delays() never ends


def consumer_lag(consumer: KafkaConsumer) -> int:
    """From the high watermarks that fetches bring back: no request to the broker per batch."""
    partitions = list(consumer.assignment())
    ends = {tp: consumer.highwater(tp) for tp in partitions}
    unknown = [tp for tp, end in ends.items() if end is None]
    if unknown:  # not fetched yet
        ends |= consumer.end_offsets(unknown)
    return sum(max(ends[tp] - consumer.position(tp), 0) for tp in partitions)


def _report_lag(stage: str, consumer: KafkaConsumer) -> None:
    try:
        LAG.labels(stage).set(consumer_lag(consumer))
    except KafkaError as error:
        log.debug("lag unknown: %s", error)
