"""The issue's "done when": on the sample stream, tagged by the real NLP stage, each planted
incident raises one alert within a minute of its triggering mention, and ordinary days none
(only the `each` rule relays single accessibility complaints, as it is meant to)."""

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr

from alerts.engine import Engine
from alerts.facts import Facts
from config.profile import Profile, load_profile
from listeners.replay import read_recording, to_mention
from schemas import EnrichedMention
from schemas.alert import Alert

SAMPLES = Path(__file__).parents[2] / "samples"


@pytest.fixture(scope="module")
def profile() -> Profile:
    return load_profile(SAMPLES / "profile.yml")


@pytest.fixture(scope="module")
def tagged(profile: Profile) -> list[EnrichedMention]:
    from nlp.stage import build_stage

    now = datetime.now(UTC)
    raws = [
        to_mention(item, profile=profile, key=SecretStr("k" * 32), fetched_at=now)
        for _, item in read_recording(SAMPLES / "stream.jsonl")
        if isinstance(item, dict)
    ]
    stage = build_stage(profile)
    analyses = stage.analyse([raw.text for raw in raws])
    return [
        EnrichedMention.from_raw(raw, analysis, pipeline_version=stage.version, processed_at=now)
        for raw, analysis in zip(raws, analyses, strict=True)
    ]


@pytest.fixture(scope="module")
def notices(profile: Profile, tagged: list[EnrichedMention]) -> list[Alert]:
    engine = Engine(profile.alerts, library_id="kerbrient", timezone=profile.library.timezone)
    return [n for m in tagged for n in engine.process(Facts.of(m))]


def incidents() -> Iterator[dict[str, object]]:
    yield from json.loads((SAMPLES / "incidents.json").read_text(encoding="utf-8"))["incidents"]


@pytest.mark.parametrize("incident", list(incidents()), ids=lambda i: str(i["id"]))
def test_each_planted_incident_raises_one_alert_within_a_minute(
    incident: dict[str, object], notices: list[Alert], tagged: list[EnrichedMention]
) -> None:
    first = datetime.fromisoformat(str(incident["first_post"]))
    last = datetime.fromisoformat(str(incident["last_post"]))
    about = [
        n
        for n in notices
        if n.status == "open"
        and n.branch == incident["branch"]
        and n.topic == incident["topic"]
        and first - timedelta(days=1) <= n.raised_at <= last
    ]
    assert len(about) == 1, [n.id for n in about]
    alert = about[0]
    trigger = next(m for m in tagged if m.id == alert.trigger_mention_id)
    assert timedelta(0) <= alert.raised_at - trigger.created_at <= timedelta(seconds=60)
    assert trigger.created_at >= first
    episode = [n for n in notices if n.id == alert.id]
    assert [n.status for n in episode].count("open") == 1
    ids = set(incident["mention_ids"])  # type: ignore[call-overload]
    assert all(m.id in ids or m.created_at >= first for m in alert.mentions)


def test_ordinary_days_raise_nothing_but_single_accessibility_complaints(
    notices: list[Alert], tagged: list[EnrichedMention]
) -> None:
    windows = [
        (datetime.fromisoformat(str(i["first_post"])), datetime.fromisoformat(str(i["last_post"])))
        for i in incidents()
    ]
    outside = [
        n
        for n in notices
        if n.status == "open" and not any(a <= n.raised_at <= b for a, b in windows)
    ]
    by_id = {m.id: m for m in tagged}
    for alert in outside:
        assert alert.rule_id == "accessibilite", alert.id
        trigger = by_id[alert.trigger_mention_id or ""]
        assert trigger.complaint and "accessibility" in trigger.topic_ids
    assert all(n.rule_id != "pic-de-plaintes" for n in notices)
