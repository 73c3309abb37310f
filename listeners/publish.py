"""Producing mentions to `mentions.raw`: keyed by mention id, acknowledged before returning."""

from collections.abc import Iterable

from kafka import KafkaProducer

from bus.topics import topic
from schemas import RawMention


def publish(producer: KafkaProducer, mentions: Iterable[RawMention]) -> int:
    """Returns once the broker holds every mention, so a checkpoint saved after it is safe."""
    futures = [
        producer.send(topic("raw"), key=m.id.encode(), value=m.model_dump_json().encode())
        for m in mentions
    ]
    producer.flush()
    for future in futures:
        future.get(timeout=30)
    return len(futures)
