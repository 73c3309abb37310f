"""The dead-letter topic: the original bytes, plus where they came from and why they failed.

Any record must be dead-letterable, or it stops its partition for good. Kafka clients refuse a
record with neither key nor value, and the broker one larger than the topic takes: such a
record is dead-lettered with an empty value and a header saying its value was null, or not kept
(and why), so the letter still says where it came from and what was wrong.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from kafka import KafkaProducer
from kafka.errors import InvalidRecordError, MessageSizeTooLargeError
from kafka.producer.future import FutureRecordMetadata

from bus.kafka import make_producer, read_to_end
from bus.records import Failure
from bus.topics import topic

_MAX_ERROR_BYTES = 2_000
_MAX_STUB_KEY_BYTES = 4_096  # a mention id is a few hundred bytes; more is not kept either
_VALUE_HEADER = "murmure.value"  # "null": the original value was null; "dropped": not kept
# Errors of the record itself, which no retry cures; anything else is the broker's trouble.
_RECORD_ERRORS = (MessageSizeTooLargeError, InvalidRecordError)


@dataclass(frozen=True)
class DeadLetter:
    stage: str
    error: str
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None  # None: the original value was null, or was not kept (see `error`)
    dlq_offset: int


def send_to_dlq(producer: KafkaProducer, stage: str, failures: Sequence[Failure]) -> None:
    """Blocks until the broker holds every dead letter: only then may the source be committed.

    A broker error propagates (the caller retries); a record that cannot be copied as it is is
    dead-lettered without its value instead."""
    sent = [(failure, _send(producer, stage, failure)) for failure in failures]
    producer.flush()
    refused = []
    for failure, future in sent:
        try:
            future.get(timeout=30)
        except _RECORD_ERRORS as error:
            refused.append((failure, error))
    stubs = [_send_stub(producer, stage, failure, error) for failure, error in refused]
    producer.flush()
    for future in stubs:
        future.get(timeout=30)


def _headers(
    stage: str, failure: Failure, error: str, value: str | None
) -> list[tuple[str, bytes]]:
    record = failure.record
    headers = [
        ("murmure.stage", stage.encode()),
        ("murmure.error", error.encode("utf-8", "replace")[:_MAX_ERROR_BYTES]),
        ("murmure.topic", record.topic.encode()),
        ("murmure.partition", str(record.partition).encode()),
        ("murmure.offset", str(record.offset).encode()),
    ]
    return headers + ([(_VALUE_HEADER, value.encode())] if value else [])


def _send(producer: KafkaProducer, stage: str, failure: Failure) -> FutureRecordMetadata:
    record = failure.record
    if record.key is None and record.value is None:  # no client sends that: keep the trace
        headers = _headers(stage, failure, failure.error, "null")
        return producer.send(topic("dlq"), value=b"", headers=headers)
    try:
        headers = _headers(stage, failure, failure.error, None)
        return producer.send(topic("dlq"), key=record.key, value=record.value, headers=headers)
    except _RECORD_ERRORS as error:  # too large for the producer: refused before sending
        return _send_stub(producer, stage, failure, error)


def _send_stub(
    producer: KafkaProducer, stage: str, failure: Failure, error: Exception
) -> FutureRecordMetadata:
    key = failure.record.key
    if key is not None and len(key) > _MAX_STUB_KEY_BYTES:
        key = None
    why = f"{failure.error}; value not kept: {type(error).__name__}"
    headers = _headers(stage, failure, why, "dropped")
    return producer.send(topic("dlq"), key=key, value=None if key else b"", headers=headers)


def read_dlq(*, poll_ms: int = 2_000) -> Iterator[DeadLetter]:
    """Everything still in the dead-letter topic, oldest first, without joining a group. Letters
    of an aborted transaction (an alerts batch that was redone) are left out: the redone batch
    wrote its own, and replaying both would repeat a mention."""
    for record in read_to_end(topic("dlq"), committed_only=True, poll_ms=poll_ms):
        yield _dead_letter(record)


def _dead_letter(record: Any) -> DeadLetter:
    headers = {name: value.decode("utf-8", "replace") for name, value in record.headers or []}
    kept = _VALUE_HEADER not in headers
    return DeadLetter(
        stage=headers.get("murmure.stage", "?"),
        error=headers.get("murmure.error", "?"),
        topic=headers.get("murmure.topic", "?"),
        partition=int(headers.get("murmure.partition", "-1")),
        offset=int(headers.get("murmure.offset", "-1")),
        key=record.key,
        value=record.value if kept else None,
        dlq_offset=record.offset,
    )


def replay(letters: Sequence[DeadLetter]) -> int:
    """Re-injects dead letters into the topic they came from (e.g. after a fix); those without
    a value (null, or not kept) have nothing to give back and are left out."""
    kept = [letter for letter in letters if letter.value is not None]
    producer = make_producer()
    try:
        futures = [
            producer.send(letter.topic, key=letter.key, value=letter.value) for letter in kept
        ]
        producer.flush()
        for future in futures:
            future.get(timeout=30)
    finally:
        producer.close()
    return len(kept)
