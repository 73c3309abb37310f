"""Deployment settings from the environment: where the bus and the store are, and who we are."""

from datetime import UTC, datetime, timedelta
from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MURMURE_", extra="ignore", frozen=True)

    kafka_bootstrap: str = Field(default="127.0.0.1:9092", description="Kafka bootstrap servers")
    es_url: str = Field(default="http://127.0.0.1:9200", description="Elasticsearch URL")
    es_username: str | None = None
    topic_prefix: str = Field(default="", description="prepended to every Kafka topic name")
    index_prefix: str = Field(
        default="",
        pattern=r"^([a-z0-9][a-z0-9._-]*)?$",
        description="prepended to every Elasticsearch index, alias and template name (several "
        "pipelines, or the tests, on one cluster)",
    )
    max_clock_skew_s: int = Field(
        default=300,
        ge=0,
        description="seconds a post's date may be ahead of when it was fetched, and a fetch "
        "ahead of the stage receiving it: clocks of networks and servers differ a little",
    )
    oldest_post: datetime = Field(
        default=datetime(1999, 1, 1, tzinfo=UTC),
        description="no network Murmure reads had posts before (RSS, the oldest, dates from "
        "1999): an older date is a broken clock or a default value such as 1970-01-01",
    )
    profile_max_bytes: int = Field(
        default=1024 * 1024,
        ge=1024,
        description="a larger profile is refused before it is parsed (a network's profile is "
        "a few kilobytes)",
    )

    @property
    def max_clock_skew(self) -> timedelta:
        return timedelta(seconds=self.max_clock_skew_s)

    # Scale: data, not code. One server keeps the defaults; see the IT guide's sizing section.
    kafka_partitions: int = Field(
        default=3,
        ge=1,
        le=1000,
        description="partitions of mentions.raw and mentions.enriched: at most this many "
        "`enrich` (and `index`) workers share the work",
    )
    kafka_replication_factor: int = Field(
        default=1, ge=1, le=7, description="copies of each topic, on as many Kafka brokers"
    )
    es_shards: int = Field(
        default=1, ge=1, le=64, description="primary shards of each monthly mention index"
    )
    es_replicas: int = Field(
        default=0, ge=0, le=5, description="copies of each shard, on other Elasticsearch nodes"
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
