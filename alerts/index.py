"""The `murmure-alerts` index: one document per alert (episode), updated in place, for Kibana
and the weekly summaries. A notice only replaces a document of a lower `sequence`."""

from typing import Any

from elasticsearch import ConflictError, Elasticsearch

from config.settings import get_settings
from indexer.layout import layout
from schemas.alert import Alert

KEYWORD = {"type": "keyword"}
DATE = {"type": "date"}

MAPPINGS: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "schema_version": {"type": "short"},
        "id": KEYWORD,
        "library_id": KEYWORD,
        "rule_id": KEYWORD,
        "description": {"type": "text"},
        "condition": KEYWORD,
        "status": KEYWORD,
        "sequence": {"type": "integer"},
        "severity": KEYWORD,
        "branch": KEYWORD,
        "topic": KEYWORD,
        "window_start": DATE,
        "window_end": DATE,
        "count": {"type": "integer"},
        "total": {"type": "integer"},
        "baseline": {"type": "float"},
        "p_value": {"type": "double"},
        "mentions": {
            "properties": {
                "id": KEYWORD,
                "text_redacted": {"type": "text"},
                "created_at": DATE,
                "url": {"type": "keyword", "index": False},
                "source": KEYWORD,
            }
        },
        "search_url": {"type": "keyword", "index": False},
        "trigger_mention_id": KEYWORD,
        "raised_at": DATE,
        "updated_at": DATE,
        "resolved_at": DATE,
        "notify_after": DATE,
        "emitted_at": DATE,
        "channels": KEYWORD,
    },
}


def ensure_alerts_index(es: Elasticsearch) -> str:
    """Creates `murmure-alerts-v1` behind the `murmure-alerts` alias if missing; idempotent."""
    alerts = layout().alerts
    if not es.indices.exists(index=alerts.index):
        try:
            es.indices.create(
                index=alerts.index,
                settings={"number_of_shards": 1, "number_of_replicas": get_settings().es_replicas},
                mappings=MAPPINGS,
                aliases={alerts.alias: {"is_write_index": True}},
            )
        except Exception:
            if not es.indices.exists(index=alerts.index):  # not a concurrent creation
                raise
    return alerts.alias


def index_alert(es: Elasticsearch, alert: Alert) -> bool:
    """False when a newer notice of the same alert is already indexed (a redo after a crash)."""
    try:
        es.index(
            index=layout().alerts.alias,
            id=alert.id,
            document=alert.model_dump(mode="json"),
            version=alert.sequence,
            version_type="external_gte",
        )
    except ConflictError:
        return False
    return True
