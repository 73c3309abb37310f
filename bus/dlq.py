"""The dead-letter topic: the original bytes, plus where they came from and why they failed."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from bus.kafka import make_producer
from bus.records import Failure
from bus.topics import topic
from config.settings import get_settings

_MAX_ERROR_BYTES = 2_000


@dataclass(frozen=True)
class DeadLetter:
    stage: str
    error: str
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    dlq_offset: int


def send_to_dlq(producer: KafkaProducer, stage: str, failures: Sequence[Failure]) -> None:
    """Blocks until the broker holds every dead letter: only then may the source be committed."""
    futures = []
    for failure in failures:
        record = failure.record
        headers = [
            ("murmure.stage", stage.encode()),
            ("murmure.error", failure.error.encode("utf-8", "replace")[:_MAX_ERROR_BYTES]),
            ("murmure.topic", record.topic.encode()),
            ("murmure.partition", str(record.partition).encode()),
            ("murmure.offset", str(record.offset).encode()),
        ]
        futures.append(
            producer.send(topic("dlq"), key=record.key, value=record.value, headers=headers)
        )
    producer.flush()
    for future in futures:
        future.get(timeout=30)


def read_dlq(*, timeout_ms: int = 2_000) -> Iterator[DeadLetter]:
    """Everything still in the dead-letter topic, oldest first, without joining a group."""
    consumer = KafkaConsumer(
        bootstrap_servers=get_settings().kafka_bootstrap, enable_auto_commit=False
    )
    try:
        partitions = [
            TopicPartition(topic("dlq"), p)
            for p in consumer.partitions_for_topic(topic("dlq")) or ()
        ]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends = consumer.end_offsets(partitions)
        while any(consumer.position(tp) < ends[tp] for tp in partitions):
            for records in consumer.poll(timeout_ms=timeout_ms).values():
                for record in records:
                    yield _dead_letter(record)
    finally:
        consumer.close()


def _dead_letter(record: Any) -> DeadLetter:
    headers = {name: value.decode("utf-8", "replace") for name, value in record.headers or []}
    return DeadLetter(
        stage=headers.get("murmure.stage", "?"),
        error=headers.get("murmure.error", "?"),
        topic=headers.get("murmure.topic", "?"),
        partition=int(headers.get("murmure.partition", "-1")),
        offset=int(headers.get("murmure.offset", "-1")),
        key=record.key,
        value=record.value,
        dlq_offset=record.offset,
    )


def replay(letters: Sequence[DeadLetter]) -> int:
    """Re-injects dead letters into the topic they came from (e.g. after a fix)."""
    producer = make_producer()
    try:
        futures = [
            producer.send(letter.topic, key=letter.key, value=letter.value) for letter in letters
        ]
        producer.flush()
        for future in futures:
            future.get(timeout=30)
    finally:
        producer.close()
    return len(letters)
