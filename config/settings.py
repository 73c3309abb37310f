"""Deployment settings from the environment (`MURMURE_*`): the one model, documented in the
README's settings table. Secrets are not here: `config.secrets` reads them (`NAME` or
`NAME_FILE`), and the local services' ports are `services/settings.py`'s."""

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    # An empty variable (as Compose passes an unset one) means the default.
    model_config = SettingsConfigDict(
        env_prefix="MURMURE_", extra="ignore", frozen=True, env_ignore_empty=True
    )

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

    # Where things are, for the stages that need them.
    profile: Path | None = Field(default=None, description="the library profile, for the workers")
    state_dir: Path | None = Field(
        default=None,
        description="where listener checkpoints live (default `listeners/` under MURMURE_HOME)",
    )
    reports_dir: Path = Field(
        default=Path("reports"), description="where each week's report is saved (HTML, text)"
    )
    summaries_start: datetime = Field(
        default=datetime.fromisoformat("2026-10-05T07:00+02:00"),
        description="the weekly summary DAG catches up from this Monday",
    )
    kibana_public_url: str | None = Field(
        default=None,
        description="Kibana as staff reach it: alerts link there (default MURMURE_KIBANA_URL, "
        "else http://localhost:5601)",
    )
    kibana_api_url: str | None = Field(
        default=None,
        description="Kibana as this machine reaches it: `murmure kibana import` talks to it "
        "(default MURMURE_KIBANA_URL, else http://127.0.0.1:5601)",
    )
    kibana_url: str | None = Field(
        default=None, description="both Kibana addresses at once, when they are the same"
    )
    smtp_host: str | None = Field(default=None, description="SMTP relay (required for e-mail)")
    smtp_port: int = Field(default=25, ge=1, le=65535, description="SMTP port")
    smtp_user: str | None = Field(default=None, description="SMTP login, with the password")
    smtp_from: str = Field(default="murmure@localhost", description="sender of every e-mail")
    smtp_starttls: bool = Field(default=False, description="upgrade SMTP to TLS (STARTTLS)")

    @property
    def kibana_links_url(self) -> str:
        return (self.kibana_public_url or self.kibana_url or "http://localhost:5601").rstrip("/")

    @property
    def kibana_import_url(self) -> str:
        return self.kibana_api_url or self.kibana_url or "http://127.0.0.1:5601"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
