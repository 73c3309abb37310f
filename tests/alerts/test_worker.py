"""End to end with the real Kafka and Elasticsearch, a real local SMTP server and a local
webhook: mentions on `mentions.enriched` → one alert on `alerts`, in `murmure-alerts`, by
e-mail and webhook; a restart in the middle of a window neither misses nor repeats it."""

import itertools
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from alerts.run import run_alerts
from bus.kafka import make_producer
from bus.topics import topic
from bus.worker import Backoff
from config.profile import Profile, load_profile
from indexer.layout import layout
from schemas import Analysis, EnrichedMention, RawMention
from tests.alerts.sample import read_notices
from tests.alerts.servers import Hooks, Mailbox, smtp_server, webhook_server
from tests.pipeline.workers import eventually, new_group

PROFILE = Path(__file__).parents[2] / "samples" / "profile.yml"
FAST = Backoff(first=0.2, factor=2.0, ceiling=2.0)
_BASES = itertools.count()

pytestmark = pytest.mark.integration


def _base() -> datetime:
    """Event times after anything else in the session's topics, one day apart per test."""
    return datetime(2031, 1, 6, 9, 0, tzinfo=UTC) + timedelta(days=next(_BASES))


def _profile(token: str, hook_port: int) -> Profile:
    base = load_profile(PROFILE)
    alerts = {
        "webhook_allowlist": [f"http://127.0.0.1:{hook_port}/hooks/"],
        "channels": [
            {"id": "mail", "type": "email", "to": ["accueil@example.org"]},
            {"id": "chat", "type": "webhook", "flavour": "mattermost", "url_env": "T_HOOK"},
        ],
        "rules": [
            {
                "id": "wifi-test",
                "description": "Wi-Fi en panne",
                "filter": {"keywords": [token], "complaint": True, "topics_any": ["wifi"]},
                "condition": {"type": "count", "min_count": 3, "window": "1h"},
                "cooldown": "2h",
                "channels": ["mail", "chat"],
            }
        ],
    }
    data = base.model_dump(mode="json") | {
        "library": base.library.model_dump() | {"id": f"lib-{token}"},
        "alerts": alerts,
    }
    return Profile.model_validate(data)


def _mention(token: str, n: int, at: datetime) -> EnrichedMention:
    text = f"Le wifi de Lanvern est HS {token} ({n})"
    raw = RawMention.model_validate(
        {
            "source": "mastodon",
            "native_id": f"{token}-{n}",
            "author": {"pseudonym": "p_0123456789abcdef"},
            "text": text,
            "created_at": at,
            "fetched_at": at,
        }
    )
    analysis = Analysis(
        lang="fr",
        relevant=True,
        topics=[{"topic": "wifi", "evidence": []}],  # type: ignore[list-item]
        sentiment="negative",
        sentiment_score=-0.7,
        complaint=True,
        branch="lanvern",
        text_redacted=text,
    )
    return EnrichedMention.from_raw(raw, analysis, pipeline_version="t", processed_at=at)


def _produce(mentions: list[EnrichedMention]) -> None:
    producer = make_producer()
    for mention in mentions:
        producer.send(
            topic("enriched"), key=mention.id.encode(), value=mention.model_dump_json().encode()
        )
    producer.flush()
    producer.close()


@contextmanager
def _worker(profile: Profile, group: str) -> Iterator[None]:
    stop = threading.Event()
    thread = threading.Thread(
        target=run_alerts,
        args=(profile,),
        kwargs={
            "group": group,
            "batch_size": 50,
            "stop": stop,
            "backoff": FAST,
            "release_interval_s": 0.5,
        },
        daemon=True,
    )
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=120)
        assert not thread.is_alive()


@pytest.fixture
def outlets(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Mailbox, Hooks, int]]:
    with smtp_server() as (mailbox, smtp_port), webhook_server() as (hooks, hook_port):
        monkeypatch.setenv("MURMURE_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("MURMURE_SMTP_PORT", str(smtp_port))
        monkeypatch.setenv("MURMURE_SMTP_FROM", "veille@example.org")
        monkeypatch.setenv("T_HOOK", f"http://127.0.0.1:{hook_port}/hooks/tok")
        yield mailbox, hooks, hook_port


def test_alert_end_to_end_through_kafka_elasticsearch_smtp_and_webhook(
    topics: None, es: Elasticsearch, outlets: tuple[Mailbox, Hooks, int]
) -> None:
    mailbox, hooks, hook_port = outlets
    token = uuid.uuid4().hex[:10]
    profile = _profile(token, hook_port)
    base = _base()
    stream = [_mention(token, n, base + timedelta(minutes=10 * n)) for n in range(3)]
    with _worker(profile, new_group("enriched")):
        _produce(stream)
        eventually(lambda: len(mailbox.messages) >= 1, 300, "the alert e-mail")
        eventually(lambda: len(hooks.calls) >= 1, 300, "the webhook call")
    notices = read_notices(profile.library.id)
    assert [n.status for n in notices] == ["open"]
    alert = notices[0]
    assert alert.trigger_mention_id == stream[2].id
    assert alert.raised_at == stream[2].created_at
    assert alert.count == 3 and alert.branch == "lanvern" and alert.topic == "wifi"
    assert "Wi-Fi en panne" in mailbox.messages[0]["Subject"]
    assert token in hooks.calls[0][1]["text"] and hooks.calls[0][0] == "/hooks/tok"
    es.indices.refresh(index=layout().alerts.alias)
    document = es.get(index=layout().alerts.alias, id=alert.id)["_source"]
    assert document["status"] == "open" and document["rule_id"] == "wifi-test"
    assert [m["id"] for m in document["mentions"]] == [m.id for m in stream]
    assert document["search_url"].startswith("http://localhost:5601/app/discover")


def test_restart_in_the_middle_of_a_window_neither_misses_nor_repeats(
    topics: None, es: Elasticsearch, outlets: tuple[Mailbox, Hooks, int]
) -> None:
    mailbox, _hooks, hook_port = outlets
    token = uuid.uuid4().hex[:10]
    profile = _profile(token, hook_port)
    group = new_group("enriched")
    base = _base()
    stream = [_mention(token, n, base + timedelta(minutes=10 * n)) for n in range(4)]
    # Time passes: the alert resolves (the alerts' clock moves once two mentions agree).
    later = [_mention(token, 98 + n, base + timedelta(hours=6, minutes=n)) for n in range(2)]
    with _worker(profile, group):
        _produce(stream[:2])  # two of three: nothing yet
        eventually(lambda: _state_has(profile, group, 2), 300, "the state of 2 mentions committed")
    assert read_notices(profile.library.id) == []
    with _worker(profile, group):
        _produce([stream[1], stream[2], stream[1]])  # the second arrives again, twice
        eventually(lambda: len(mailbox.messages) >= 1, 300, "the alert e-mail after restart")
    with _worker(profile, group):
        _produce([stream[3], *later])
        eventually(
            lambda: [n.status for n in read_notices(profile.library.id)][-1:] == ["resolved"],
            300,
            "the resolution after another restart",
        )
        # In `alerts` before it is mailed: the worker stops once the mail is out.
        eventually(lambda: len(mailbox.messages) >= 2, 300, "the resolution e-mail")
    notices = read_notices(profile.library.id)
    assert [n.status for n in notices] == ["open", "resolved"]
    assert notices[0].count == 3 and notices[0].trigger_mention_id == stream[2].id
    assert notices[1].total == 4
    assert len(mailbox.messages) == 2  # opened, resolved: nothing repeated


def _state_has(profile: Profile, group: str, events: int) -> bool:
    from alerts.state import GroupState
    from alerts.store import read_table

    prefix = f"{profile.library.id}.{group}/wifi-test|"
    groups = [
        GroupState.model_validate_json(v)
        for k, v in read_table("alerts_state").items()
        if k.startswith(prefix)
    ]
    return any(len(g.events) == events for g in groups)
