"""Deployment settings from the environment: where the bus and the store are, and who we are."""

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MURMURE_", extra="ignore", frozen=True)

    kafka_bootstrap: str = Field(default="127.0.0.1:9092", description="Kafka bootstrap servers")
    es_url: str = Field(default="http://127.0.0.1:9200", description="Elasticsearch URL")
    es_username: str | None = None
    topic_prefix: str = Field(default="", description="prepended to every Kafka topic name")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
