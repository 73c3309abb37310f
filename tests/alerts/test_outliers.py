"""One mention with a wild date must not move the alerts' clock: it would resolve open alerts and
make every later mention "late", and the state that remembers it survives restarts."""

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from elasticsearch import Elasticsearch

from alerts.facts import Facts
from alerts.state import META_KEY
from config.profile import Profile
from tests.alerts.sample import read_notices
from tests.alerts.servers import Mailbox, smtp_server, webhook_server
from tests.alerts.streams import T0, engine, fact, minutes, run
from tests.alerts.test_engine import COUNT
from tests.alerts.test_worker import _base, _mention, _produce, _profile, _worker
from tests.pipeline.workers import eventually

FAR = datetime(9999, 12, 31, 23, 59, tzinfo=UTC)


def _burst(first: int, start: datetime) -> list[Facts]:
    return [fact(first + i, start + minutes(10 * i)) for i in range(3)]


def test_one_far_future_mention_neither_resolves_nor_silences() -> None:
    eng = engine([COUNT])
    opened = run(eng, _burst(0, T0))
    assert [n.status for n in opened] == ["open"]
    assert run(eng, [fact(50, FAR, topics=("noise",))]) == []  # no early resolution
    later = run(eng, [fact(3 + i, T0 + minutes(30 + 10 * i)) for i in range(3)])
    assert eng.late == 0
    assert [n.status for n in later] == ["update"]  # 6 mentions: the alert grew


def test_the_clock_still_moves_when_mentions_agree() -> None:
    eng = engine([COUNT])
    run(eng, _burst(0, T0))
    passes = [fact(90 + i, T0 + timedelta(hours=6, minutes=i), topics=("noise",)) for i in (0, 1)]
    assert [n.status for n in run(eng, passes)] == ["resolved"]
    assert run(eng, [fact(99, T0 - minutes(1))]) == [] and eng.late == 1  # over 6 h behind


def test_the_quorum_is_configurable_and_duplicates_do_not_count() -> None:
    eng = engine([COUNT], clock_quorum=3)
    run(eng, _burst(0, T0))
    ahead = [fact(90 + i, T0 + timedelta(hours=6, minutes=i), topics=("noise",)) for i in (0, 1)]
    assert run(eng, [*ahead, ahead[0], ahead[1]]) == []  # twice the same two: still two
    third = fact(92, T0 + timedelta(hours=7), topics=("noise",))
    assert [n.status for n in run(eng, [third])] == ["resolved"]


def test_after_a_restart_the_outlier_still_counts_for_one() -> None:
    eng = engine([COUNT])
    run(eng, [*_burst(0, T0), fact(50, FAR, topics=("noise",))])
    restarted = engine([COUNT])
    restarted.load({k: v for k, v in eng.dump().items() if v is not None})
    assert [n.status for n in run(restarted, _burst(3, T0 + minutes(30)))] == ["update"]
    assert restarted.late == 0


def test_a_clock_saved_before_it_was_robust_is_not_trusted_alone() -> None:
    """State written by a worker that took the newest date seen as the clock."""
    eng = engine([COUNT])
    legacy = json.dumps({"started_at": T0.isoformat(), "watermark": FAR.isoformat()})
    eng.load({META_KEY: legacy})
    assert [n.status for n in run(eng, _burst(0, T0))] == ["open"]
    assert eng.late == 0


@pytest.fixture
def mail(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Mailbox, int]]:
    with smtp_server() as (mailbox, smtp_port), webhook_server() as (_hooks, hook_port):
        monkeypatch.setenv("MURMURE_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("MURMURE_SMTP_PORT", str(smtp_port))
        monkeypatch.setenv("MURMURE_SMTP_FROM", "veille@example.org")
        monkeypatch.setenv("T_HOOK", f"http://127.0.0.1:{hook_port}/hooks/tok")
        yield mailbox, hook_port


@pytest.mark.integration
def test_a_far_future_mention_on_the_bus_does_not_silence_alerts_across_restarts(
    topics: None, es: Elasticsearch, mail: tuple[Mailbox, int]
) -> None:
    mailbox, hook_port = mail
    token = uuid.uuid4().hex[:10]
    profile: Profile = _profile(token, hook_port)
    group = f"alerts-{token}"
    base = _base()
    outlier = _mention(token, 0, FAR)
    first = [_mention(token, n, base + timedelta(minutes=10 * n)) for n in range(1, 4)]
    second = [_mention(token, n, base + timedelta(hours=12, minutes=n)) for n in range(4, 7)]
    with _worker(profile, group):
        _produce([outlier, *first])
        eventually(lambda: len(read_notices(profile.library.id)) >= 1, 120, "the first alert")
    with _worker(profile, group):  # restarted: its state comes back from alerts.state
        _produce(second)
        eventually(
            lambda: (
                [n.status for n in read_notices(profile.library.id)] == ["open", "resolved", "open"]
            ),
            120,
            "the first alert resolved and a new one opened, after the restart",
        )
    notices = read_notices(profile.library.id)
    assert [n.trigger_mention_id for n in notices if n.status == "open"] == [
        first[-1].id,
        second[-1].id,
    ]
    assert len(mailbox.messages) == 3
