"""Kafka clients with delivery settings chosen explicitly, not inherited from library defaults.

kafka-python 3 changed its producer defaults between releases; a pipeline that must not lose
or duplicate mentions states acks and idempotence itself.
"""

from collections.abc import Iterable, Mapping
from contextlib import suppress
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.errors import TopicAlreadyExistsError

from bus.topics import TopicKey, topic, topics_file
from config.settings import get_settings


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


def ensure_topics(keys: Iterable[TopicKey] | None = None) -> list[str]:
    """Create missing topics with their partitions and retention; returns the ones created."""
    spec_file = topics_file()
    wanted: Mapping[TopicKey, Any] = {
        key: spec for key, spec in spec_file.topics.items() if keys is None or key in set(keys)
    }
    admin = KafkaAdminClient(bootstrap_servers=get_settings().kafka_bootstrap)
    try:
        existing = set(admin.list_topics())
        missing = {
            topic(key): {
                "num_partitions": spec.partitions,
                "replication_factor": spec_file.replication_factor,
                "configs": spec.kafka_configs(spec_file.max_message_bytes),
            }
            for key, spec in wanted.items()
            if topic(key) not in existing
        }
        if missing:
            # Created concurrently by another worker: that is what we wanted.
            with suppress(TopicAlreadyExistsError):
                admin.create_topics(missing, wait_for_metadata=True)
        return sorted(missing)
    finally:
        admin.close()
