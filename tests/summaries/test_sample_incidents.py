"""The sample network's planted incidents, through the real NLP stage and indexer, come out as the
week's top deterioration with posts of the incident as representative posts.

The stream is shifted by 520 weeks (to 2036) under new native ids, so it never touches the
demo's documents and the weeks keep their weekdays.
"""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch
from typer.testing import CliRunner

from config.profile import load_profile
from indexer.bulk import IndexAction, bulk_index
from indexer.document import to_document
from indexer.layout import layout
from listeners.pseudonym import load_key
from listeners.replay import BadLine, replay
from murmure.cli import app
from schemas import EnrichedMention
from summaries.compute import compute_summary
from summaries.weeks import Week
from tests.summaries.seed import drop_mention_indices, write_profile

pytestmark = pytest.mark.integration

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
SHIFT = timedelta(weeks=520)
PREFIX = "shifted-"
LAST = datetime(2026, 11, 9, tzinfo=UTC)  # end of W45: all the weeks the two summaries read


def _shift_week(week: str) -> Week:
    return Week.of(Week.parse(week).monday + SHIFT)


def _shift_id(mention_id: str) -> str:
    source, _, native = mention_id.partition(":")
    return f"{source}:{PREFIX}{native}"


@pytest.fixture(scope="module")
def incidents(es: Elasticsearch) -> dict[str, dict[str, object]]:
    from nlp.stage import build_stage

    profile = load_profile(SAMPLES / "profile.yml")
    raws = [
        item.model_copy(
            update={
                "native_id": PREFIX + item.native_id,
                "created_at": item.created_at + SHIFT,
                "fetched_at": item.fetched_at + SHIFT,  # a post is not newer than its fetching
            }
        )
        for item in replay(SAMPLES / "stream.jsonl", profile=profile, key=load_key())
        if not isinstance(item, BadLine) and item.created_at < LAST
    ]
    for year in (2036, 2037):
        drop_mention_indices(es, year)
    stage = build_stage(profile)
    analyses = stage.analyse([raw.text for raw in raws])
    now = datetime.now(UTC)
    actions = []
    for raw, analysis in zip(raws, analyses, strict=True):
        enriched = EnrichedMention.from_raw(
            raw, analysis, pipeline_version="test", processed_at=raw.fetched_at
        )
        actions.append(
            IndexAction(
                layout().mentions.index_for(enriched.created_at),
                enriched.id,
                to_document(enriched, indexed_at=now),
            )
        )
    for start in range(0, len(actions), 1000):
        outcome = bulk_index(es, actions[start : start + 1000])
        assert not outcome.rejected and not outcome.retry
    es.indices.refresh(index=layout().mentions.alias)
    planted = json.loads((SAMPLES / "incidents.json").read_text(encoding="utf-8"))["incidents"]
    return {incident["id"]: incident for incident in planted}


@pytest.mark.parametrize(
    ("week", "incident"), [("2026-W45", "heating-centrale"), ("2026-W42", "wifi-lanvern")]
)
def test_planted_incident_is_the_top_deterioration(
    es: Elasticsearch, incidents: dict[str, dict[str, object]], week: str, incident: str
) -> None:
    planted = incidents[incident]
    summary = compute_summary(es, load_profile(SAMPLES / "profile.yml"), _shift_week(week))
    top = summary.topics[0]
    assert top.topic == planted["topic"]
    assert top.deterioration > 0
    assert len(top.examples) == 3
    ids = {_shift_id(str(mention_id)) for mention_id in planted["mention_ids"]}  # type: ignore[attr-defined]
    assert {post.id for post in top.examples} <= ids


def test_summary_command_names_the_incident(
    es: Elasticsearch, incidents: dict[str, dict[str, object]], tmp_path: Path
) -> None:
    profile = write_profile(tmp_path, "test-cli")
    out = tmp_path / "w45.html"
    week = str(_shift_week("2026-W45"))
    result = CliRunner().invoke(
        app,
        ["summary", "--week", week, "--out", str(out), "--lang", "en", "--profile", str(profile)],
    )
    assert result.exit_code == 0, result.output
    assert "1. temperature:" in result.output
    html = out.read_text(encoding="utf-8")
    assert "What got worse" in html and "Temperature and air" in html
    assert html.count("data:image/png;base64,") == 3
    assert "1. Temperature and air" in out.with_suffix(".txt").read_text(encoding="utf-8")
    stored = es.get(index=layout().summaries.alias, id=f"test-cli:{week}")["_source"]
    assert stored["top_deterioration"] == "temperature" and "sent_at" not in stored
    bad = CliRunner().invoke(app, ["summary", "--week", "2026-47", "--profile", str(profile)])
    assert bad.exit_code != 0 and "ISO week" in bad.output
