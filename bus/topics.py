"""Topic names and settings, read from `topics.yml` so deployments change data, not code."""

from functools import lru_cache
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from config.packaged import packaged_settings
from config.settings import get_settings

TopicKey = Literal["raw", "enriched", "dlq", "alerts", "alerts_state", "alerts_held"]
_DAY_MS = 24 * 60 * 60 * 1000


class TopicSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[A-Za-z0-9._-]+$")
    partitions: Annotated[int, Field(ge=1)] | Literal["workers"]
    retention_days: int = Field(ge=1)
    cleanup_policy: Literal["delete", "compact"] = "delete"

    @property
    def partition_count(self) -> int:
        if self.partitions == "workers":
            return get_settings().kafka_partitions
        return self.partitions

    def kafka_configs(self, max_message_bytes: int) -> dict[str, str]:
        configs = {
            "retention.ms": str(self.retention_days * _DAY_MS),
            "max.message.bytes": str(max_message_bytes),
            "cleanup.policy": self.cleanup_policy,
        }
        if get_settings().kafka_replication_factor >= 3:
            # With acks=all, a write needs two copies: one broker may fail, none is lost.
            configs["min.insync.replicas"] = "2"
        return configs


class ProducerSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    linger_ms: int = Field(ge=0)
    batch_bytes: int = Field(ge=1024)


class TopicsFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    max_message_bytes: int = Field(ge=1_048_576)
    producer: ProducerSpec
    topics: dict[TopicKey, TopicSpec]

    @model_validator(mode="after")
    def _batches_fit_in_messages(self) -> "TopicsFile":
        # The broker checks a whole record batch against max.message.bytes.
        if self.producer.batch_bytes > self.max_message_bytes:
            raise ValueError(
                f"producer.batch_bytes ({self.producer.batch_bytes}) exceeds "
                f"max_message_bytes ({self.max_message_bytes})"
            )
        return self


@lru_cache(maxsize=1)
def topics_file() -> TopicsFile:
    return packaged_settings(TopicsFile, "bus", "topics.yml")


def topic(key: TopicKey) -> str:
    """The deployed name: a prefix lets several pipelines (or test runs) share one cluster."""
    return get_settings().topic_prefix + topics_file().topics[key].name
