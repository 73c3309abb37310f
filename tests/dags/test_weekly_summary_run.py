"""The weekly DAG run with `dag.test()` against the real Elasticsearch and a real SMTP server.

Seeds known mentions in ISO week 2031-W10 (a week no other test uses) and the four before it,
runs the Monday 2031-03-10 run, and checks the e-mail against what was seeded.
"""

import json
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from elasticsearch import Elasticsearch

from config.settings import get_settings
from indexer.deletion import delete_matching
from indexer.layout import layout
from schemas.alert import Alert
from summaries.weeks import Week
from tests.dags.conftest import DAGS
from tests.summaries.seed import (
    drop_mention_indices,
    index_mentions,
    mention,
    smtp_server,
    write_profile,
)

pytestmark = pytest.mark.integration

WEEK = Week.parse("2031-W10")
TIMEZONE = "Europe/Paris"
RUN = datetime(2031, 3, 10, 6, 0, tzinfo=UTC)  # Monday 07:00 in Paris
HOSTILE = "<script>alert('pwn')</script> Il fait froid à Anne-Quéré & le chauffage est coupé"


def _at(week: Week, day: int, hour: int) -> datetime:
    start, _ = week.window(TIMEZONE)
    return start + timedelta(days=day, hours=hour)


def _seed(es: Elasticsearch) -> dict[str, Any]:
    drop_mention_indices(es, 2031)
    mentions = []
    for before in WEEK.previous(4):
        mentions.append(
            mention(
                "Il fait bon à la centrale",
                _at(before, 1, 10),
                topics=("temperature",),
                branch="centrale",
            )
        )
        for hour in (11, 15):
            mentions.append(
                mention(
                    "Super atelier à Lanvern",
                    _at(before, 2, hour),
                    topics=("events",),
                    sentiment="positive",
                    branch="lanvern",
                )
            )
    complaints = [
        mention(
            HOSTILE, _at(WEEK, 1, 10), topics=("temperature",), complaint=True, branch="centrale"
        ),
        mention(
            "Pas de chauffage à la centrale, on gèle",
            _at(WEEK, 1, 11),
            topics=("temperature",),
            complaint=True,
            branch="centrale",
        ),
        mention(
            "Toujours pas de chauffage à la centrale, on gèle",
            _at(WEEK, 2, 10),
            topics=("temperature",),
            complaint=True,
            branch="centrale",
            source="bluesky",
        ),
        mention(
            "Chauffage en panne, on gèle à la centrale",
            _at(WEEK, 2, 15),
            topics=("temperature",),
            complaint=True,
            branch="centrale",
        ),
    ]
    others = [
        mention(
            "Super atelier à Lanvern",
            _at(WEEK, 3, 15),
            topics=("events",),
            sentiment="positive",
            branch="lanvern",
        ),
        mention("Prise de sang demain", _at(WEEK, 3, 9), relevant=False, source="x"),
        mention(
            "Concert samedi à la Centrale",
            _at(WEEK, 4, 9),
            topics=("events",),
            sentiment="positive",
            branch="centrale",
            institution=True,
            pseudonym="mediatheques@social.kerbrient.example",
            likes=12,
        ),
    ]
    index_mentions(es, mentions + complaints + others)

    from alerts.index import ensure_alerts_index

    alias = ensure_alerts_index(es)
    delete_matching(es, alias, {"range": {"raised_at": {"gte": "2031-01-01", "lt": "2032-01-01"}}})
    alert = Alert(
        id=f"chauffage-centrale:{uuid.uuid4().hex[:8]}",
        rule_id="chauffage-centrale",
        status="resolved",
        severity="critical",
        branch="centrale",
        topic="temperature",
        window_start=_at(WEEK, 1, 8),
        window_end=_at(WEEK, 1, 11),
        count=3,
        raised_at=_at(WEEK, 1, 11),
    )
    es.index(index=alias, id=alert.id, document=alert.model_dump(mode="json"), refresh=True)
    return {"complaints": complaints, "alert": alert}


@pytest.fixture()
def airflow_env(tmp_path: Path, es: Elasticsearch, airflow_db: None) -> Iterator[dict[str, Any]]:
    library = f"test-{uuid.uuid4().hex[:8]}"
    es_url = urlsplit(get_settings().es_url)  # this machine's Elasticsearch, not a default port
    profile = write_profile(
        tmp_path, library, summaries={"recipients": ["direction@example.org"], "language": "fr"}
    )
    es_url = urlsplit(get_settings().es_url)  # this machine's Elasticsearch, not the default port
    with smtp_server() as (inbox, port):
        env = {
            "MURMURE_PROFILE": str(profile),
            "MURMURE_REPORTS_DIR": str(tmp_path / "reports"),
            "AIRFLOW_CONN_MURMURE_ES": json.dumps(
                {"conn_type": "generic", "host": es_url.hostname, "port": es_url.port}
                | {"schema": es_url.scheme}
            ),
            "AIRFLOW_CONN_MURMURE_SMTP": json.dumps(
                {
                    "conn_type": "generic",
                    "host": "127.0.0.1",
                    "port": port,
                    "extra": {"from": "murmure@example.org"},
                }
            ),
        }
        saved = {name: os.environ.get(name) for name in env}
        os.environ.update(env)
        try:
            yield {"library": library, "inbox": inbox, "reports": tmp_path / "reports", **_seed(es)}
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def _run(run_conf: dict[str, Any] | None = None) -> str:
    from airflow.dag_processing.dagbag import DagBag

    dag = DagBag(dag_folder=str(DAGS / "weekly_summary.py"), safe_mode=False).dags[
        "murmure_weekly_summary"
    ]
    run = dag.test(logical_date=RUN, run_conf=run_conf)
    return str(run.state)


def _parts(message: EmailMessage) -> tuple[str, str, list[EmailMessage]]:
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    images = [part for part in message.walk() if part.get_content_type() == "image/png"]
    return str(text.get_content()), str(html.get_content()), images


def test_weekly_dag_sends_the_seeded_figures_once(
    airflow_env: dict[str, Any], es: Elasticsearch
) -> None:
    assert _run() == "success"
    inbox = airflow_env["inbox"]
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["To"] == "direction@example.org"
    assert "2031-W10" in message["Subject"]
    text, html, images = _parts(message)

    # 7 mentions, 6 about the library, 4 complaints; the week before had 3 mentions.
    assert "7 mentions (semaine précédente : 3), 6 sur vos bibliothèques, 4 plaintes" in text
    assert "1. Température et aération : 4 mentions, 4 plaintes, négatif 100 %" in text
    assert "- Médiathèque centrale Anne-Quéré : 5 mentions, 4 plaintes" in text
    assert "mastodon 5, bluesky 1, x 1" in text
    assert "chauffage-centrale (Médiathèque centrale Anne-Quéré) : résolue" in text
    assert "Concert samedi à la Centrale (12 j'aime" in text
    # Typical posts of the top deterioration: three of the four complaints, the hostile one escaped.
    seeded = {m.text_redacted for m in airflow_env["complaints"]}
    quoted = [line.strip()[2:] for line in text.splitlines() if line.strip().startswith("> ")]
    assert len(quoted) == 3 and set(quoted) <= seeded
    assert HOSTILE in quoted  # two complaints say the same thing: one is left out, not this one
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#39;pwn&#39;)&lt;/script&gt;" in html
    # Three charts, each inline and referenced by the HTML.
    assert len(images) == 3
    for image in images:
        cid = str(image["Content-ID"]).strip("<>")
        assert f'src="cid:{cid}"' in html
        assert image.get_content().startswith(b"\x89PNG")

    summary_id = f"{airflow_env['library']}:2031-W10"
    stored = es.get(index=layout().summaries.alias, id=summary_id)["_source"]
    assert (
        stored["sent_at"]
        and stored["complaints"] == 4
        and stored["top_deterioration"] == "temperature"
    )
    (saved,) = [Path(f["path"]) for f in stored["files"]]  # one copy, in the reports folder
    assert saved.is_file() and "data:image/png;base64," in saved.read_text(encoding="utf-8")

    # A rerun of the same week does not send again; asking for it does.
    assert _run() == "success"
    assert len(inbox.messages) == 1
    assert _run({"force": True}) == "success"
    assert len(inbox.messages) == 2
