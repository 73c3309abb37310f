"""Kafka clients with delivery settings chosen explicitly, not inherited from library defaults.

kafka-python 3 changed its producer defaults between releases; a pipeline that must not lose
or duplicate mentions states acks and idempotence itself.
"""

import logging
from collections.abc import Iterable, Iterator, Mapping
from contextlib import suppress
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import InvalidPartitionsError, TopicAlreadyExistsError

from bus.topics import TopicKey, TopicSpec, topic, topics_file
from config.settings import get_settings

log = logging.getLogger(__name__)


def make_producer(**overrides: Any) -> KafkaProducer:
    spec = topics_file()
    options: dict[str, Any] = {
        "bootstrap_servers": get_settings().kafka_bootstrap,
        "acks": "all",
        "enable_idempotence": True,
        "linger_ms": spec.producer.linger_ms,
        "batch_size": spec.producer.batch_bytes,
        "max_request_size": spec.max_message_bytes,
    }
    return KafkaProducer(**(options | overrides))


def make_consumer(group_id: str, *topic_keys: TopicKey, **overrides: Any) -> KafkaConsumer:
    """Offsets are committed by the caller, only once its output is safely written."""
    options: dict[str, Any] = {
        "bootstrap_servers": get_settings().kafka_bootstrap,
        "group_id": group_id,
        "enable_auto_commit": False,
        "auto_offset_reset": "earliest",
        "isolation_level": "read_committed",
    }
    consumer = KafkaConsumer(**(options | overrides))
    consumer.subscribe([topic(key) for key in topic_keys])
    return consumer


class TopicSettingsError(ValueError):
    """The topics' settings do not fit the cluster (not retried: the fix is a setting)."""


def read_to_end(topic_name: str, *, committed_only: bool, poll_ms: int = 500) -> Iterator[Any]:
    """Every record of `topic_name` up to its end offsets at the call, partition by partition,
    without joining a group. Reading to the end offsets, never until a quiet spell, which a
    loaded machine can make look like the end. `committed_only`: leave out what transactions
    aborted (and wait for those still open)."""
    consumer = KafkaConsumer(
        bootstrap_servers=get_settings().kafka_bootstrap,
        enable_auto_commit=False,
        isolation_level="read_committed" if committed_only else "read_uncommitted",
    )
    try:
        partitions = [
            TopicPartition(topic_name, number)
            for number in consumer.partitions_for_topic(topic_name) or ()
        ]
        if not partitions:
            return
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends = consumer.end_offsets(partitions)
        while any(consumer.position(tp) < ends[tp] for tp in partitions):
            for records in consumer.poll(timeout_ms=poll_ms).values():
                yield from records
    finally:
        consumer.close()


def ensure_topics(keys: Iterable[TopicKey] | None = None) -> list[str]:
    """Create missing topics with their partitions and retention, and add partitions to a
    worker topic when MURMURE_KAFKA_PARTITIONS grew; returns the topics created."""
    spec_file = topics_file()
    settings = get_settings()
    wanted: Mapping[TopicKey, TopicSpec] = {
        key: spec for key, spec in spec_file.topics.items() if keys is None or key in set(keys)
    }
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    try:
        brokers = len(admin.describe_cluster()["brokers"])
        if settings.kafka_replication_factor > brokers:
            raise TopicSettingsError(
                f"MURMURE_KAFKA_REPLICATION_FACTOR={settings.kafka_replication_factor} but the "
                f"Kafka cluster has {brokers} broker(s): lower it or add brokers"
            )
        existing = {
            str(described["name"]): len(described["partitions"])
            for described in admin.describe_topics([topic(key) for key in wanted])
            if not described.get("error_code")
        }
        missing = {
            topic(key): {
                "num_partitions": spec.partition_count,
                "replication_factor": settings.kafka_replication_factor,
                "configs": spec.kafka_configs(spec_file.max_message_bytes),
            }
            for key, spec in wanted.items()
            if topic(key) not in existing
        }
        if missing:
            # Created concurrently by another worker: that is what we wanted.
            with suppress(TopicAlreadyExistsError):
                admin.create_topics(missing, wait_for_metadata=True)
        grown = {
            topic(key): spec.partition_count
            for key, spec in wanted.items()
            if existing.get(topic(key), spec.partition_count) < spec.partition_count
        }
        if grown:
            # Only new records use the new partitions; a partition count never shrinks.
            log.info("adding partitions: %s", grown)
            with suppress(InvalidPartitionsError):  # grown concurrently by another worker
                admin.create_partitions(grown)
        return sorted(missing)
    finally:
        admin.close()
