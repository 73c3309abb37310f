"""Expiry against the real Elasticsearch: what is older than the retention goes, nothing else.

Uses 2001-2002 (no other test writes there); `now` is given, never the clock.
"""

import uuid
from datetime import UTC, datetime

import pytest
from elasticsearch import Elasticsearch

from alerts.index import ensure_alerts_index
from indexer.deletion import delete_matching
from indexer.layout import layout
from retention.expiry import expire, month_bounds
from schemas.alert import Alert
from tests.summaries.seed import drop_mention_indices, index_mentions, mention

MONTHLY = layout().mentions.index_prefix  # monthly mention indices: MONTHLY + "YYYY.MM"

pytestmark = pytest.mark.integration

NOW = datetime(2002, 1, 20, 12, 0, tzinfo=UTC)
RETENTION_DAYS = 40  # cut-off 2001-12-11 12:00 UTC


def _alert(raised_at: datetime) -> Alert:
    return Alert(
        id=f"expiry-test:{uuid.uuid4().hex[:8]}",
        rule_id="expiry-test",
        status="open",
        severity="info",
        window_start=raised_at,
        window_end=raised_at,
        count=1,
        raised_at=raised_at,
    )


def test_month_bounds_reads_the_index_name() -> None:
    assert month_bounds(f"{MONTHLY}2001.12") == (
        datetime(2001, 12, 1, tzinfo=UTC),
        datetime(2002, 1, 1, tzinfo=UTC),
    )
    assert month_bounds(f"{MONTHLY}backup") is None


def test_expire_deletes_old_months_and_old_documents_only(es: Elasticsearch) -> None:
    for year in (2001, 2002):
        drop_mention_indices(es, year)
    alerts = ensure_alerts_index(es)
    delete_matching(es, alerts, {"range": {"raised_at": {"lt": "2003-01-01"}}})
    old_month = [mention("novembre", datetime(2001, 11, day, tzinfo=UTC)) for day in (2, 30)]
    expired = [mention("début décembre", datetime(2001, 12, day, tzinfo=UTC)) for day in (1, 11)]
    kept = [
        mention("mi-décembre", datetime(2001, 12, 11, 13, 0, tzinfo=UTC)),
        mention("fin décembre", datetime(2001, 12, 28, tzinfo=UTC)),
        mention("janvier", datetime(2002, 1, 5, tzinfo=UTC)),
    ]
    index_mentions(es, old_month + expired + kept)
    old_alert, recent_alert = _alert(datetime(2001, 12, 1, tzinfo=UTC)), _alert(NOW)
    for alert in (old_alert, recent_alert):
        es.index(index=alerts, id=alert.id, document=alert.model_dump(mode="json"), refresh=True)
    indices_before = set(es.indices.get(index=layout().mentions.pattern))

    report = expire(es, retention_days=RETENTION_DAYS, now=NOW)

    assert report.cutoff == datetime(2001, 12, 11, 12, 0, tzinfo=UTC)
    assert f"{MONTHLY}2001.11" in report.indices_deleted
    assert not es.indices.exists(index=f"{MONTHLY}2001.11")
    assert report.documents_deleted[f"{MONTHLY}2001.12"] == 2
    assert report.documents_deleted[layout().alerts.index] == 1
    alias = layout().mentions.alias
    remaining = {
        hit["_id"]
        for hit in es.search(
            index=alias, query={"range": {"created_at": {"lt": "2003-01-01"}}}, size=100
        )["hits"]["hits"]
    }
    assert remaining == {m.id for m in kept}
    assert not es.exists(index=alerts, id=old_alert.id)
    assert es.exists(index=alerts, id=recent_alert.id)
    # Nothing outside the expired range was touched.
    assert set(report.documents_deleted) == {f"{MONTHLY}2001.12", layout().alerts.index}
    assert set(report.indices_deleted) <= {i for i in indices_before if i < f"{MONTHLY}2001.12"}
    assert {i for i in indices_before if i >= f"{MONTHLY}2001.12"} <= set(
        es.indices.get(index=layout().mentions.pattern)
    )

    again = expire(es, retention_days=RETENTION_DAYS, now=NOW)
    assert again.indices_deleted == [] and sum(again.documents_deleted.values()) == 0
