"""The loop every stage worker runs, one chain of steps: poll → validate → process → produce →
commit.

Offsets are committed only once the stage's output and its dead letters are acknowledged, or in
the same Kafka transaction (`bus.commit`), so a crash at any point redoes uncommitted work; stages
write idempotently, so redoing is harmless. Kafka's and the stores' passing troubles
(`KafkaError`, `TransientError`) are retried with backoff at any step; any other exception is
handled by its step's policy (`bus.stage`), never left to end the process unasked.
"""

import logging
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from kafka import KafkaConsumer, KafkaProducer
from kafka.errors import KafkaError

from bus.commit import Commit, OffsetCommit
from bus.dlq import send_to_dlq
from bus.kafka import make_consumer, make_producer
from bus.metrics import DEAD_LETTERS, FAILED, LAG, PROCESSED, serve_metrics
from bus.records import Failure, TransientError, describe_error
from bus.stage import Batch, Policies, Policy, StageHandler
from bus.topics import TopicKey

log = logging.getLogger(__name__)

T = TypeVar("T")
TRANSIENT = (TransientError, KafkaError)


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


class _RetryError(Exception):
    """A step's error, retried like a transient one (its policy says so)."""


class _SetAsideError(Exception):
    """A step's error, its batch dead-lettered (its policy says so)."""


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
    stage: StageHandler[Any, Any],
    consumer: KafkaConsumer,
    commit: Commit,
    stop: threading.Event,
    batch_size: int,
    poll_timeout_ms: int = 500,
    backoff: Backoff = Backoff(),
) -> int:
    """Runs until `stop` is set; returns the number of messages gone through (committed, or
    held back by the stage)."""
    done = 0
    while not stop.is_set():
        policies = stage.policies
        records = _poll(stage.name, consumer, batch_size, poll_timeout_ms, stop, backoff, policies)
        if records is None:
            break
        if not records:
            _report_lag(stage.name, consumer)
            if not stage.holds_back:
                continue
        batch: Batch[Any] = Batch(stage.validate, _poller(consumer), policies.validate)
        batch.add(records)
        outcome = _write(stage, batch, commit, stop, backoff, policies)
        if outcome is None:
            break  # stopped while the batch could not be written: nothing committed, redone later
        if not outcome.committed:
            continue
        done += len(batch.records)
        PROCESSED.labels(stage.name).inc(len(batch.records) - len(outcome.dead_letters))
        _report_lag(stage.name, consumer)
    return done


@dataclass(frozen=True)
class _Outcome:
    committed: bool  # False: the partitions moved to another worker, which redoes the batch
    dead_letters: list[Failure]


def _poll(
    stage: str,
    consumer: KafkaConsumer,
    batch_size: int,
    timeout_ms: int,
    stop: threading.Event,
    backoff: Backoff,
    policies: Policies,
) -> list[Any] | None:
    """The next records; None if stopped first."""
    for delay in backoff.delays():
        try:
            return _records(consumer.poll(timeout_ms=timeout_ms, max_records=batch_size))
        except TRANSIENT as error:
            # Kafka restarting: nothing was taken yet, and the client may give up a metadata
            # refresh instead of waiting.
            log.warning("poll failed (%s); polling again in %.1fs", error, delay)
        except Exception:
            if policies.poll is Policy.STOP:
                raise
            log.exception("%s: poll failed; polling again in %.1fs", stage, delay)
        if stop.wait(delay):
            return None
    return None  # unreachable: delays() never ends


def _write(
    stage: StageHandler[Any, Any],
    batch: Batch[Any],
    commit: Commit,
    stop: threading.Event,
    backoff: Backoff,
    policies: Policies,
) -> _Outcome | None:
    """The batch through its steps, redone from `process` while it fails in a way worth
    retrying; None if stopped first."""
    for delay in backoff.delays():
        try:
            return _attempt(stage, batch, commit, policies)
        except (*TRANSIENT, _RetryError) as error:
            FAILED.labels(stage.name).inc()
            log.warning("batch not written (%s); retrying in %.1fs", error, delay)
        if stop.wait(delay):
            return None
    return None  # unreachable: delays() never ends


def _attempt(
    stage: StageHandler[Any, Any], batch: Batch[Any], commit: Commit, policies: Policies
) -> _Outcome:
    """process → produce → dead-letter → commit, once."""
    output = None
    try:
        output = _step("process", policies.process, lambda: stage.process(batch))
        dead_letters = list(batch.failures)  # with those of records the stage polled as it went
    except _SetAsideError as error:
        dead_letters = _set_aside(batch, list(batch.failures), error)
    if output is None and not dead_letters:
        return _Outcome(True, [])  # the stage holds its records back: nothing to write yet
    begun = False
    try:
        commit.begin()
        begun = True
        if output is not None:
            try:
                dead_letters += _step("produce", policies.produce, lambda: stage.produce(output))
            except _SetAsideError as error:
                dead_letters = _set_aside(batch, dead_letters, error)
        if dead_letters:
            send_to_dlq(commit.producer, stage.name, dead_letters)
        committed = _step("commit", policies.commit, lambda: commit.commit(batch.offsets))
    except BaseException:
        if begun:
            commit.abort()
        if output is not None:
            stage.settle(output, False)
        raise
    if output is not None:
        stage.settle(output, committed)
    if committed:
        _log_dead_letters(stage.name, dead_letters)
    return _Outcome(committed, dead_letters)


def _step(name: str, policy: Policy, call: Callable[[], T]) -> T:
    """`call()`, an error other than a transient one handled by `policy`."""
    try:
        return call()
    except TRANSIENT:
        raise
    except Exception as error:
        if policy is Policy.STOP:
            log.error("%s step failed (%s): stopping, nothing committed", name, error)
            raise
        reason = f"{name} failed: {describe_error(error)}"
        if policy is Policy.RETRY:
            raise _RetryError(reason) from error
        log.exception("%s step failed: dead-lettering the batch", name)
        raise _SetAsideError(reason) from error


def _set_aside(batch: Batch[Any], failures: list[Failure], error: _SetAsideError) -> list[Failure]:
    """`failures`, and every other record of the batch, with the step's error as reason."""
    failed = {id(failure.record) for failure in failures}
    return failures + [
        Failure(record, str(error)) for record in batch.records if id(record) not in failed
    ]


def _log_dead_letters(stage: str, failures: list[Failure]) -> None:
    DEAD_LETTERS.labels(stage).inc(len(failures))
    for failure in failures:
        log.warning(
            "dead-lettered %s[%d]@%d: %s",
            failure.record.topic,
            failure.record.partition,
            failure.record.offset,
            failure.error,
        )


def _poller(consumer: KafkaConsumer) -> Callable[[int], list[Any]]:
    """Records already fetched, without waiting: for a stage that takes more as it works."""

    def more(limit: int) -> list[Any]:
        return _records(consumer.poll(timeout_ms=0, max_records=limit))

    return more


def _records(polled: dict[Any, list[Any]]) -> list[Any]:
    return [record for batch in polled.values() for record in batch]


def serve(
    *,
    group: str,
    topic_key: TopicKey,
    batch_size: int,
    metrics_port: int,
    make_stage: Callable[[KafkaProducer, KafkaConsumer], StageHandler[Any, Any]],
) -> None:
    """A stage's long-running process: metrics, consumer, producer (the stage's output and its
    dead letters), plain offset commits, clean stop."""
    serve_metrics(metrics_port)
    consumer = make_consumer(group, topic_key, max_poll_records=batch_size)
    producer = make_producer()
    try:
        run_worker(
            stage=make_stage(producer, consumer),
            consumer=consumer,
            commit=OffsetCommit(consumer, producer),
            stop=stop_on_signals(),
            batch_size=batch_size,
        )
    finally:
        consumer.close()
        producer.close()


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
