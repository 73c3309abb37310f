import uuid
from importlib.resources import files
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from bus.topics import TopicsFile
from config.settings import Settings, get_settings


def shipped() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(files("bus").joinpath("topics.yml").read_text())
    return data


def test_shipped_topics_file_is_valid() -> None:
    assert TopicsFile.model_validate(shipped()).producer.batch_bytes > 16_384


def test_a_producer_batch_larger_than_a_message_is_refused() -> None:
    data = shipped()
    data["producer"]["batch_bytes"] = data["max_message_bytes"] + 1
    with pytest.raises(ValidationError, match=r"producer\.batch_bytes"):
        TopicsFile.model_validate(data)


@pytest.mark.parametrize(
    ("variable", "value", "field"),
    [
        ("MURMURE_KAFKA_PARTITIONS", "0", "kafka_partitions"),
        ("MURMURE_KAFKA_REPLICATION_FACTOR", "0", "kafka_replication_factor"),
        ("MURMURE_ES_SHARDS", "many", "es_shards"),
        ("MURMURE_ES_REPLICAS", "-1", "es_replicas"),
    ],
)
def test_scale_settings_are_validated(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, field: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError, match=field):
        Settings()


def test_worker_topics_take_the_partitions_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MURMURE_KAFKA_PARTITIONS", "12")
    get_settings.cache_clear()
    try:
        spec = TopicsFile.model_validate(shipped())
        assert spec.topics["raw"].partition_count == 12
        assert spec.topics["enriched"].partition_count == 12
        assert spec.topics["alerts_state"].partition_count == 1  # one alerts worker per profile
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


@pytest.mark.integration
def test_partitions_grow_with_the_setting_and_replicas_must_fit_the_cluster(
    services: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kafka import KafkaAdminClient

    from bus.kafka import TopicSettingsError, ensure_topics
    from bus.topics import topic

    monkeypatch.setenv("MURMURE_TOPIC_PREFIX", f"scale-{uuid.uuid4().hex[:8]}.")
    admin = KafkaAdminClient(bootstrap_servers=get_settings().kafka_bootstrap)
    try:
        for partitions in (2, 4):
            monkeypatch.setenv("MURMURE_KAFKA_PARTITIONS", str(partitions))
            get_settings.cache_clear()
            ensure_topics(["raw", "dlq"])
            described = {
                t["name"]: len(t["partitions"])
                for t in admin.describe_topics([topic("raw"), topic("dlq")])
            }
            assert described == {topic("raw"): partitions, topic("dlq"): 1}
        monkeypatch.setenv("MURMURE_KAFKA_REPLICATION_FACTOR", "3")
        get_settings.cache_clear()
        with pytest.raises(TopicSettingsError, match="MURMURE_KAFKA_REPLICATION_FACTOR=3"):
            ensure_topics(["raw"])
        admin.delete_topics([topic("raw"), topic("dlq")])
    finally:
        admin.close()
        monkeypatch.undo()
        get_settings.cache_clear()
