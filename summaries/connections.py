"""Elasticsearch and SMTP from Airflow connections (`murmure_es`, `murmure_smtp`).

Takes any object shaped like an Airflow `Connection`, so this module never imports Airflow.
SMTP extras: `{"from": "...", "starttls": true}`.
"""

from typing import Any, Protocol

from elasticsearch import Elasticsearch
from pydantic import SecretStr

from config.smtp import SmtpSettings

ES_CONN_ID = "murmure_es"
SMTP_CONN_ID = "murmure_smtp"


class ConnectionLike(Protocol):
    conn_type: str | None
    host: str | None
    port: int | None
    login: str | None
    password: str | None
    schema: str | None

    @property
    def extra_dejson(self) -> dict[str, Any]: ...


def es_from_connection(conn: ConnectionLike) -> Elasticsearch:
    if not conn.host:
        raise ValueError(f"connection {ES_CONN_ID!r} has no host")
    scheme = conn.schema or ("https" if conn.extra_dejson.get("tls") else "http")
    url = f"{scheme}://{conn.host}:{conn.port or 9200}"
    auth = {"basic_auth": (conn.login or "elastic", conn.password)} if conn.password else {}
    return Elasticsearch(url, request_timeout=30, retry_on_timeout=True, **auth)  # type: ignore[arg-type]


def smtp_from_connection(conn: ConnectionLike) -> SmtpSettings:
    if not conn.host:
        raise ValueError(f"connection {SMTP_CONN_ID!r} has no host")
    extra = conn.extra_dejson
    return SmtpSettings(
        host=conn.host,
        port=conn.port or 25,
        sender=str(extra.get("from") or "murmure@localhost"),
        user=conn.login or None,
        password=SecretStr(conn.password) if conn.password else None,
        starttls=str(extra.get("starttls", "")).lower() in {"1", "true", "yes", "on"},
    )
