"""Reading a whole topic in a test: to its end offsets, never until a quiet spell, which a
loaded machine can make look like the end."""

from typing import Any

from kafka import KafkaConsumer, TopicPartition

from config.settings import get_settings


def read_to_end(topic_name: str) -> list[Any]:
    """Every committed record of `topic_name` up to its current end, partition by partition."""
    consumer = KafkaConsumer(
        bootstrap_servers=get_settings().kafka_bootstrap,
        enable_auto_commit=False,
        isolation_level="read_committed",
    )
    try:
        consumer.topics()  # loads the metadata, without which partitions_for_topic may be None
        partitions = [
            TopicPartition(topic_name, p) for p in consumer.partitions_for_topic(topic_name) or ()
        ]
        assert partitions, f"no topic {topic_name}"
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends = consumer.end_offsets(partitions)
        records: list[Any] = []
        while any(consumer.position(tp) < ends[tp] for tp in partitions):
            for batch in consumer.poll(timeout_ms=1000).values():
                records += batch
        return records
    finally:
        consumer.close()
