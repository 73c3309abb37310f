"""What the DAGs (weekly summary, retention) take from Airflow: Elasticsearch and SMTP from its
connections (`murmure_es`, `murmure_smtp`), the profile, and their schedules' time zone.

The parsing takes any object shaped like an Airflow `Connection`; only `dag_es()` and `dag_smtp()`
import Airflow, when a task runs. SMTP extras: `{"from": "...", "starttls": true}`.
"""

from typing import TYPE_CHECKING, Any, Protocol

from elasticsearch import Elasticsearch
from pydantic import SecretStr

from config.settings import Settings
from config.smtp import SmtpSettings
from indexer.client import es_client

if TYPE_CHECKING:
    from config.profile import Profile

ES_CONN_ID = "murmure_es"
SMTP_CONN_ID = "murmure_smtp"
SCHEDULE_TIMEZONE = "Europe/Paris"  # of the DAGs' cron schedules


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
    return es_client(url, (conn.login or "elastic", conn.password) if conn.password else None)


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


def dag_profile() -> "Profile":
    """The profile named by `MURMURE_PROFILE`."""
    from config.profile import load_profile

    path = Settings().profile
    if path is None:
        raise ValueError("set MURMURE_PROFILE to the library profile")
    return load_profile(path)


def dag_es() -> Elasticsearch:
    from airflow.sdk import BaseHook

    return es_from_connection(BaseHook.get_connection(ES_CONN_ID))


def dag_smtp() -> SmtpSettings:
    from airflow.sdk import BaseHook

    return smtp_from_connection(BaseHook.get_connection(SMTP_CONN_ID))
