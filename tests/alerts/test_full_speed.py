"""The issue's "done when" through the real pipeline: the sample stream replayed as fast as
possible into `mentions.raw`, tagged by `murmure enrich` and read by `murmure alerts`, both run
as processes, as `murmure demo` does. The three planted incidents raise exactly the alerts of
the time-ordered run, each opened within 60 s (event time) of the mention that made its
condition true, nothing else is raised, and both workers stop cleanly on SIGTERM."""

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from alerts.lag import GroupLag, start_at_end
from indexer.layout import layout
from murmure.pipeline import replay_command
from tests.alerts.sample import (
    SAMPLES,
    in_order_notices,
    notice_key,
    read_notices,
    sample_profile,
    tagged_sample,
)
from tests.pipeline.workers import eventually

pytestmark = pytest.mark.integration


@contextmanager
def _process(arguments: list[str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    env = os.environ | {"MURMURE_PROFILE": str(SAMPLES / "profile.yml")}
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "murmure", "--log-format", "json", *arguments],
            env=env,
            stdout=out,
            stderr=out,
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)


def _stop(process: subprocess.Popen[bytes]) -> int:
    process.send_signal(signal.SIGTERM)
    return process.wait(timeout=60)


def _caught_up(enrich_group: str, alerts_group: str) -> bool:
    raw, enriched, alerts = GroupLag("raw"), GroupLag("enriched"), GroupLag("alerts")
    try:
        return (
            raw.of(enrich_group) == 0
            and enriched.of(alerts_group) == 0
            and alerts.of(f"{alerts_group}-notify") == 0
        )
    finally:
        for lag in (raw, enriched, alerts):
            lag.close()


def test_sample_replayed_at_full_speed_raises_the_three_incident_alerts(
    topics: None, es: Elasticsearch, tmp_path: Path
) -> None:
    profile = sample_profile()
    expected = in_order_notices(profile, tagged_sample())
    token = uuid.uuid4().hex[:8]
    enrich_group, alerts_group = f"fs-enrich-{token}", f"fs-alerts-{token}"
    start_at_end(enrich_group, "raw")  # only this replay, not the session's other mentions
    start_at_end(alerts_group, "enriched")
    start_at_end(f"{alerts_group}-notify", "alerts")
    since = datetime.now(UTC) - timedelta(seconds=1)
    common = ["--metrics-port", "0", "--group"]
    with (
        _process(["enrich", *common, enrich_group], tmp_path / "enrich.log") as enrich,
        _process(
            ["alerts", *common, alerts_group, "--upstream-group", enrich_group],
            tmp_path / "alerts.log",
        ) as alerts,
    ):
        replay_command(SAMPLES / "stream.jsonl", SAMPLES / "profile.yml", speed=0.0, batch=200)
        eventually(lambda: _caught_up(enrich_group, alerts_group), 600, "alerts caught up")
        assert _stop(alerts) == 0, (tmp_path / "alerts.log").read_text()[-3000:]
        assert _stop(enrich) == 0
    notices = read_notices(profile.library.id, since)
    assert [notice_key(n) for n in notices] == [notice_key(n) for n in expected]
    opened = [n for n in notices if n.status == "open"]
    assert len(opened) == 3
    created = {m.id: m.created_at for m in tagged_sample()}
    for alert in opened:
        trigger = created[alert.trigger_mention_id or ""]
        assert timedelta(0) <= alert.raised_at - trigger <= timedelta(seconds=60), alert.id
    es.indices.refresh(index=layout().alerts.alias)
    for alert in opened:
        document = es.get(index=layout().alerts.alias, id=alert.id)["_source"]
        assert document["rule_id"] == alert.rule_id
