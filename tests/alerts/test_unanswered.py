"""Rules of kind `unanswered`: one reminder per question or complaint left without the library's
answer, counted in opening hours if the rule says so, and resolved once the answer arrives."""

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from elasticsearch import Elasticsearch
from typer.testing import CliRunner

from alerts.index import ensure_alerts_index
from alerts.unanswered import check, due_at, replay
from config.profile import Profile, Weekday, load_profile
from config.rules import parse_duration
from indexer.layout import layout
from murmure.cli import app
from schemas import EnrichedMention
from schemas.alert import Alert
from tests.factories import enriched_mention
from tests.summaries.seed import index_mentions

SAMPLES = Path(__file__).parents[2] / "samples"
PARIS = "Europe/Paris"
WEEK: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri")
HOURS: dict[Weekday, list[str]] = {day: ["10:00-18:00"] for day in WEEK} | {"sat": ["10:00-13:00"]}
ASKED = datetime(2035, 6, 5, 8, 0, tzinfo=UTC)  # a Tuesday, 10:00 in Paris


def test_due_counts_only_opening_hours_when_given() -> None:
    saturday_evening = datetime(2035, 6, 9, 15, 0, tzinfo=UTC)  # 17:00 in Paris, closed
    assert due_at(saturday_evening, timedelta(hours=4)) == saturday_evening + timedelta(hours=4)
    # Closed until Monday 10:00 Paris (08:00 UTC): due four opening hours later.
    assert due_at(saturday_evening, timedelta(hours=4), HOURS, PARIS) == datetime(
        2035, 6, 11, 12, 0, tzinfo=UTC
    )
    tuesday_four_pm = datetime(2035, 6, 5, 14, 0, tzinfo=UTC)  # 2 h left that day
    assert due_at(tuesday_four_pm, timedelta(hours=4), HOURS, PARIS) == datetime(
        2035, 6, 6, 10, 0, tzinfo=UTC
    )
    assert due_at(tuesday_four_pm, timedelta(hours=4), {}, PARIS) == datetime(
        2035, 6, 5, 18, 0, tzinfo=UTC
    )


def test_the_sample_rule_counts_the_sample_libraries_opening_hours() -> None:
    profile = load_profile(SAMPLES / "profile.yml")
    (rule,) = profile.alerts.unanswered
    assert not rule.enabled  # the demo replays old posts: on the wall clock, a flood of reminders
    assert rule.opening_hours_only
    saturday_four_pm = datetime(2035, 6, 9, 14, 0, tzinfo=UTC)  # one hour before closing
    due = due_at(
        saturday_four_pm,
        parse_duration(rule.after),
        profile.library.opening_hours,
        profile.library.timezone,
    )
    assert due == datetime(
        2035, 6, 12, 11, 0, tzinfo=UTC
    )  # closed Sunday and Monday: Tuesday 13:00


def _profile_data(rule: dict[str, Any], marker: str) -> dict[str, Any]:
    """The sample profile with `rule`, limited to this test's posts (they hold `marker`)."""
    data: dict[str, Any] = yaml.safe_load((SAMPLES / "profile.yml").read_text(encoding="utf-8"))
    data["library"]["opening_hours"] = HOURS
    data["alerts"]["unanswered"] = [rule | {"filter": {"keywords": [marker], "institutions": True}}]
    return data


def _profile(rule: dict[str, Any], marker: str) -> Profile:
    return Profile.model_validate(_profile_data(rule, marker))


def _answer(es: Elasticsearch, post: EnrichedMention, at: datetime) -> None:
    delay = round((at - post.created_at).total_seconds())
    es.update(
        index=layout().mentions.index_for(post.created_at),
        id=post.id,
        doc={"answered_at": at.isoformat(), "answered_by": "bu_stang", "answer_delay_s": delay},
        refresh=True,
    )


def _post(
    at: datetime, marker: str, *, question: bool = False, complaint: bool = False, **changes: Any
) -> EnrichedMention:
    text = f"Ouvert dimanche ? {marker}"
    mention = enriched_mention(text, created_at=at, fetched_at=at, **changes)
    return mention.model_copy(update={"question": question, "complaint": complaint})


@pytest.mark.integration
def test_reminds_once_per_post_and_resolves_once_answered(es: Elasticsearch) -> None:
    ensure_alerts_index(es)
    marker = uuid.uuid4().hex
    profile = _profile({"id": "reply-in-4h", "after": "4h"}, marker)
    question = _post(ASKED, marker, question=True)
    complaint = _post(ASKED, marker, complaint=True)
    others = [
        _post(ASKED, marker),  # neither
        _post(ASKED - timedelta(days=20), marker, question=True),  # older than max_age
        _post(
            ASKED + timedelta(hours=4), marker, question=True
        ),  # not waited long enough (due at 8 h)
        _post(ASKED, marker, question=True, author={"pseudonym": "bu_stang", "institution": True}),
    ]
    index_mentions(es, [question, complaint, *others])
    sent: list[Alert] = []
    now = ASKED + timedelta(hours=5)
    rule = profile.alerts.unanswered[0]

    first = check(es, profile, rule, now=now, send=sent.append)
    assert sorted(a.trigger_mention_id or "" for a in first) == sorted([question.id, complaint.id])
    assert {(a.status, a.condition, a.sequence) for a in first} == {("open", "unanswered", 0)}
    assert first[0].mentions[0].text_redacted == f"Ouvert dimanche ? {marker}"
    es.indices.refresh(index=layout().alerts.alias)
    assert check(es, profile, rule, now=now + timedelta(hours=1), send=sent.append) == []

    answered_at = (ASKED + timedelta(hours=6)).isoformat()
    es.update(
        index=layout().mentions.index_for(ASKED),
        id=question.id,
        doc={"answered_at": answered_at, "answered_by": "bu_stang", "answer_delay_s": 21600},
        refresh=True,
    )
    resolved = check(es, profile, rule, now=now + timedelta(hours=2), send=sent.append)
    assert [(a.trigger_mention_id, a.status, a.sequence) for a in resolved] == [
        (question.id, "resolved", 1)
    ]
    es.indices.refresh(index=layout().alerts.alias)
    assert check(es, profile, rule, now=now + timedelta(hours=2.5), send=sent.append) == []
    assert len(sent) == 3


@pytest.mark.integration
def test_opening_hours_only_waits_for_the_desk(es: Elasticsearch) -> None:
    ensure_alerts_index(es)
    marker = uuid.uuid4().hex
    profile = _profile({"id": "desk-4h", "after": "4h", "opening_hours_only": True}, marker)
    saturday_evening = datetime(2035, 6, 9, 15, 0, tzinfo=UTC)
    question = _post(saturday_evening, marker, question=True)
    index_mentions(es, [question])
    sent: list[Alert] = []
    sunday = saturday_evening + timedelta(hours=20)
    assert check(es, profile, profile.alerts.unanswered[0], now=sunday, send=sent.append) == []
    monday_noon = datetime(2035, 6, 11, 12, 0, tzinfo=UTC)
    due = check(es, profile, profile.alerts.unanswered[0], now=monday_noon, send=sent.append)
    assert [a.trigger_mention_id for a in due] == [question.id]


@pytest.mark.integration
def test_test_rule_replays_the_reminders_and_resolutions_of_the_period(
    es: Elasticsearch, tmp_path: Path
) -> None:
    marker = uuid.uuid4().hex
    data = _profile_data({"id": "reply-in-4h", "after": "4h"}, marker)
    profile = Profile.model_validate(data)
    never = _post(ASKED, marker, question=True)
    in_time = _post(ASKED, marker, question=True)
    late = _post(ASKED + timedelta(minutes=1), marker, complaint=True)
    after_the_period = _post(ASKED + timedelta(hours=22), marker, question=True)
    library = _post(
        ASKED, marker, question=True, author={"pseudonym": "bu_stang", "institution": True}
    )
    index_mentions(es, [never, in_time, late, after_the_period, library])
    _answer(es, in_time, ASKED + timedelta(hours=2))
    _answer(es, late, ASKED + timedelta(hours=6))
    until = ASKED + timedelta(days=1)

    got = replay(es, profile, profile.alerts.unanswered[0], since=ASKED, until=until)
    assert [(a.trigger_mention_id, a.status, a.updated_at) for a in got] == [
        (never.id, "open", ASKED + timedelta(hours=4)),
        (late.id, "open", ASKED + timedelta(hours=4, minutes=1)),
        (late.id, "resolved", ASKED + timedelta(hours=6)),
    ]
    # A period that starts after a post fell due does not remind about it again.
    assert replay(
        es, profile, profile.alerts.unanswered[0], since=ASKED + timedelta(hours=5), until=until
    ) == [got[2]]

    path = tmp_path / "profile.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    arguments = ["alerts", "test-rule", "reply-in-4h", "--profile", str(path), "--since", "1d"]
    result = CliRunner().invoke(app, [*arguments, "--until", until.isoformat()])
    assert result.exit_code == 0, result.output
    assert "2 alert(s) would have been raised, 0 update(s), 1 resolution(s)." in result.output
