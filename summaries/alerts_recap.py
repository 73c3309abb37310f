"""Alerts of the week, read from `murmure-alerts`: none when the index does not exist yet.

An alert episode keeps one id through its updates; it counts for the week if it was raised (or
its window started) during the week, and is resolved if any of its documents says so.
"""

from datetime import datetime
from typing import Any

from elasticsearch import Elasticsearch, helpers

from indexer.layout import layout
from schemas.summary import AlertRecap


def _in(field: str, start: datetime, end: datetime) -> dict[str, Any]:
    return {"range": {field: {"gte": start.isoformat(), "lt": end.isoformat()}}}


def alerts_of(es: Elasticsearch, start: datetime, end: datetime) -> list[AlertRecap]:
    alias = layout().alerts.alias
    if not (es.indices.exists_alias(name=alias) or es.indices.exists(index=alias)):
        return []
    query = {
        "query": {
            "bool": {
                "should": [_in("raised_at", start, end), _in("window_start", start, end)],
                "minimum_should_match": 1,
            }
        }
    }
    episodes: dict[str, list[dict[str, Any]]] = {}
    for hit in helpers.scan(es, query=query, index=alias):
        source = hit["_source"]
        episodes.setdefault(str(source.get("id", hit["_id"])), []).append(source)
    recaps = []
    for alert_id, documents in episodes.items():
        first = min(documents, key=lambda doc: str(doc["raised_at"]))
        latest = max(documents, key=lambda doc: str(doc["raised_at"]))
        recaps.append(
            AlertRecap(
                alert_id=alert_id,
                rule_id=str(first.get("rule_id", "")),
                severity=latest.get("severity"),
                branch=latest.get("branch"),
                topic=latest.get("topic"),
                count=max(int(doc.get("total") or doc.get("count") or 0) for doc in documents),
                raised_at=datetime.fromisoformat(str(first["raised_at"]).replace("Z", "+00:00")),
                resolved=any(doc.get("status") == "resolved" for doc in documents),
            )
        )
    return sorted(recaps, key=lambda recap: (recap.raised_at, recap.alert_id))
