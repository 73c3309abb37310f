"""Compacted topics as key → JSON stores: read whole at start, written inside transactions."""

from kafka import KafkaConsumer, TopicPartition

from bus.topics import TopicKey, topic
from config.settings import get_settings


def read_table(key: TopicKey, *, poll_ms: int = 500) -> dict[str, str]:
    """The latest committed value of every key (tombstones remove it), without a group."""
    consumer = KafkaConsumer(
        bootstrap_servers=get_settings().kafka_bootstrap,
        enable_auto_commit=False,
        isolation_level="read_committed",
        auto_offset_reset="earliest",
    )
    try:
        name = topic(key)
        partitions = [
            TopicPartition(name, number) for number in consumer.partitions_for_topic(name) or ()
        ]
        if not partitions:
            return {}
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends = consumer.end_offsets(partitions)
        table: dict[str, str] = {}
        while any(consumer.position(tp) < ends[tp] for tp in partitions):
            for records in consumer.poll(timeout_ms=poll_ms).values():
                for record in records:
                    item = record.key.decode()
                    if record.value is None:
                        table.pop(item, None)
                    else:
                        table[item] = record.value.decode()
        return table
    finally:
        consumer.close()
