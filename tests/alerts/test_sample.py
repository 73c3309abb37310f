"""The issue's "done when": on the sample stream, tagged by the real NLP stage, each planted
incident raises exactly one alert (updates and its resolution allowed), opened within a minute
of the mention that made its condition true, and the eight weeks raise no other alert."""

from datetime import datetime, timedelta
from typing import Any

import pytest

from alerts.engine import Engine
from alerts.facts import Facts
from config.profile import Profile, ProfileError, load_profile
from schemas import EnrichedMention
from schemas.alert import Alert
from tests.alerts.sample import (
    SAMPLES,
    in_order_notices,
    incidents,
    sample_profile,
    tagged_sample,
)


@pytest.fixture(scope="module")
def profile() -> Profile:
    return sample_profile()


@pytest.fixture(scope="module")
def tagged() -> tuple[EnrichedMention, ...]:
    return tagged_sample()


@pytest.fixture(scope="module")
def notices(profile: Profile, tagged: tuple[EnrichedMention, ...]) -> list[Alert]:
    return in_order_notices(profile, tagged)


def _about(incident: dict[str, Any], notices: list[Alert]) -> list[Alert]:
    first = datetime.fromisoformat(str(incident["first_post"]))
    last = datetime.fromisoformat(str(incident["last_post"]))
    return [
        n
        for n in notices
        if n.status == "open"
        and n.branch == incident["branch"]
        and n.topic == incident["topic"]
        and first - timedelta(days=1) <= n.raised_at <= last
    ]


@pytest.mark.parametrize("incident", incidents(), ids=lambda i: str(i["id"]))
def test_each_planted_incident_raises_one_alert_within_a_minute(
    incident: dict[str, Any], notices: list[Alert], tagged: tuple[EnrichedMention, ...]
) -> None:
    about = _about(incident, notices)
    assert len(about) == 1, [n.id for n in about]
    alert = about[0]
    trigger = next(m for m in tagged if m.id == alert.trigger_mention_id)
    assert timedelta(0) <= alert.raised_at - trigger.created_at <= timedelta(seconds=60)
    assert trigger.id in set(incident["mention_ids"])
    episode = [n.status for n in notices if n.id == alert.id]
    assert episode[0] == "open" and episode.count("open") == 1
    assert set(episode[1:]) <= {"update", "resolved"} and episode.count("resolved") <= 1
    ids = set(incident["mention_ids"])
    first = datetime.fromisoformat(str(incident["first_post"]))
    assert all(m.id in ids or m.created_at >= first for m in alert.mentions)


def test_the_eight_weeks_raise_the_three_incident_alerts_and_nothing_else(
    notices: list[Alert],
) -> None:
    incident_alerts = {alert.id for incident in incidents() for alert in _about(incident, notices)}
    assert len(incident_alerts) == len(incidents())
    assert [n.id for n in notices if n.id not in incident_alerts] == []
    assert sum(1 for n in notices if n.status == "open") == len(incidents())


def test_the_disabled_each_rule_would_page_on_ordinary_days_and_is_ignored(
    profile: Profile, tagged: tuple[EnrichedMention, ...], notices: list[Alert]
) -> None:
    rule = profile.alerts.rule("accessibilite")
    assert rule is not None and not rule.enabled
    assert all(n.rule_id != "accessibilite" for n in notices)
    paging = Engine(profile.alerts, library_id=profile.library.id, rules=[rule])
    would = [n for m in tagged for n in paging.process(Facts.of(m)) if n.status == "open"]
    windows = [
        (datetime.fromisoformat(i["first_post"]), datetime.fromisoformat(i["last_post"]))
        for i in incidents()
    ]
    assert any(not any(a <= n.raised_at <= b for a, b in windows) for n in would)


def test_a_disabled_rule_is_still_validated(tmp_path: Any) -> None:
    text = (SAMPLES / "profile.yml").read_text(encoding="utf-8")
    broken = text.replace(
        "      enabled: false\n      filter: {topics_any: [accessibility], complaint: true}",
        "      enabled: false\n      filter: {topics_any: [accessibilty], complaint: true}",
    )
    assert broken != text
    path = tmp_path / "profile.yml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(ProfileError, match="accessibilty"):
        load_profile(path)
