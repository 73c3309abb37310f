"""Notifiers against a real local SMTP server and a local HTTP server."""

import threading
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest

from alerts.dispatch import Dispatcher
from alerts.notify.base import Notifier
from alerts.notify.delivery import deliver
from alerts.notify.email import SmtpNotifier
from alerts.notify.webhook import WebhookNotifier, WebhookRefusedError, allowed, webhook_url
from bus.kafka import make_producer
from config.rules import AlertsConfig, Delivery, EmailChannel, WebhookChannel
from config.smtp import SmtpSettings
from schemas.alert import Alert
from tests.alerts.servers import Hooks, Mailbox, smtp_server, webhook_server
from tests.alerts.streams import T0, engine, fact, minutes

NAMES = {"lanvern": "Médiathèque de Lanvern"}
FAST = Delivery(attempts=3, first_delay_s=0.01, max_delay_s=0.05, timeout_s=2)


def an_alert() -> Alert:
    rule = {
        "id": "wifi-panne",
        "description": "Plusieurs plaintes Wi-Fi",
        "filter": {"topics_any": ["wifi"], "complaint": True},
        "condition": {"type": "count", "min_count": 2, "window": "1h"},
        "channels": ["mail", "chat"],
    }
    texts = ["Le wifi est HS <b>encore</b>", "Plus de wifi à Lanvern, [EMAIL] contactez moi"]
    stream = [fact(i, T0 + minutes(i), text=text) for i, text in enumerate(texts)]
    eng = engine([rule])
    return next(n for item in stream for n in eng.process(item))


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, SmtpSettings]]:
    with smtp_server() as (mailbox, port):
        yield mailbox, SmtpSettings(host="127.0.0.1", port=port, sender="veille@example.org")


@pytest.fixture
def hooks() -> Iterator[tuple[Hooks, int]]:
    with webhook_server() as served:
        yield served


def test_email_in_french_with_text_and_html_and_the_posts(
    smtp: tuple[Mailbox, SmtpSettings],
) -> None:
    mailbox, settings = smtp
    channel = EmailChannel(id="mail", type="email", to=["accueil@example.org"])
    SmtpNotifier(channel, settings, "Europe/Paris", NAMES).send(an_alert())
    assert len(mailbox.messages) == 1
    message = mailbox.messages[0]
    assert (
        "Nouvelle alerte" in message["Subject"] and "Médiathèque de Lanvern" in message["Subject"]
    )
    assert message["To"] == "accueil@example.org"
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    plain, markup = text.get_content(), html.get_content()
    assert "Plus de wifi à Lanvern, [EMAIL]" in plain
    assert "02/11/2026 à 09:01" in plain  # Paris local time
    assert "&lt;b&gt;encore&lt;/b&gt;" in markup  # escaped, never interpreted
    assert "http://localhost:5601/app/discover" in markup


def test_email_in_english_when_the_channel_says_so(smtp: tuple[Mailbox, SmtpSettings]) -> None:
    mailbox, settings = smtp
    channel = EmailChannel(id="mail", type="email", to=["desk@example.org"], language="en")
    SmtpNotifier(channel, settings, "Europe/Paris", NAMES).send(an_alert())
    assert mailbox.messages[0]["Subject"].count("New alert") == 1


@pytest.mark.parametrize("flavour", ["mattermost", "slack", "teams", "generic"])
def test_webhook_payload_per_flavour(flavour: str, hooks: tuple[Hooks, int]) -> None:
    calls, port = hooks
    channel = WebhookChannel(id="chat", type="webhook", flavour=flavour, url_env="X_HOOK")
    url = f"http://127.0.0.1:{port}/hooks/abc"
    WebhookNotifier(channel, url, "Europe/Paris", NAMES).send(an_alert())
    path, body = calls.calls[0]
    assert path == "/hooks/abc"
    if flavour in {"mattermost", "slack"}:
        assert "Nouvelle alerte" in body["text"] and "Plus de wifi" in body["text"]
    elif flavour == "teams":
        assert body["type"] == "message"
        attachment = body["attachments"][0]
        assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
        assert attachment["content"]["type"] == "AdaptiveCard"
        assert attachment["content"]["actions"][0]["type"] == "Action.OpenUrl"
    else:
        assert Alert.model_validate(body).rule_id == "wifi-panne"


def test_webhook_urls_must_be_allow_listed(monkeypatch: pytest.MonkeyPatch) -> None:
    config = AlertsConfig.model_validate({"webhook_allowlist": ["https://chat.example.org/hooks/"]})
    listed = config.webhook_allowlist
    assert allowed("https://chat.example.org/hooks/abc", listed)
    assert not allowed("https://chat.example.org.evil.example/hooks/abc", listed)
    assert not allowed("https://chat.example.org/other/abc", listed)
    assert not allowed("http://chat.example.org/hooks/abc", listed)
    channel = WebhookChannel(id="chat", type="webhook", url_env="MURMURE_TEST_HOOK")
    monkeypatch.delenv("MURMURE_TEST_HOOK", raising=False)
    with pytest.raises(WebhookRefusedError, match="set MURMURE_TEST_HOOK"):
        webhook_url(channel, listed)
    monkeypatch.setenv("MURMURE_TEST_HOOK", "https://attacker.example/hooks/secret-token")
    with pytest.raises(WebhookRefusedError, match="allowlist") as refused:
        webhook_url(channel, listed)
    assert "secret-token" not in str(refused.value)


def test_a_failing_channel_is_retried_then_given_up_without_blocking_others(
    smtp: tuple[Mailbox, SmtpSettings], hooks: tuple[Hooks, int]
) -> None:
    mailbox, settings = smtp
    calls, port = hooks
    calls.fail_paths.add("/down")
    notifiers: list[Notifier] = [
        WebhookNotifier(
            WebhookChannel(id="down", type="webhook", url_env="X"),
            f"http://127.0.0.1:{port}/down",
            "Europe/Paris",
            NAMES,
        ),
        SmtpNotifier(
            EmailChannel(id="mail", type="email", to=["a@example.org"]),
            settings,
            "Europe/Paris",
            NAMES,
        ),
        SmtpNotifier(  # nothing listens there
            EmailChannel(id="nowhere", type="email", to=["b@example.org"]),
            SmtpSettings(host="127.0.0.1", port=1),
            "Europe/Paris",
            NAMES,
            timeout_s=1,
        ),
    ]
    outcome = deliver(an_alert(), notifiers, FAST, threading.Event())
    assert outcome == {"down": False, "mail": True, "nowhere": False}
    assert len([c for c in calls.calls if c[0] == "/down"]) == FAST.attempts
    assert len(mailbox.messages) == 1


class _Recorder:
    def __init__(self) -> None:
        self.sent: list[Alert] = []

    @property
    def channel_id(self) -> str:
        return "chat"

    def send(self, alert: Alert) -> None:
        self.sent.append(alert)


def test_quiet_hours_hold_a_notice_in_kafka_until_they_end(topics: None) -> None:
    alert = an_alert().model_copy(
        update={"notify_after": T0 + timedelta(hours=2), "channels": ["chat"]}
    )
    namespace = f"held-{uuid.uuid4().hex[:8]}"
    recorder = _Recorder()
    now = [T0]
    producer = make_producer()

    def dispatcher() -> Dispatcher:
        return Dispatcher(
            es=None,  # type: ignore[arg-type]  # routing never indexes
            producer=producer,
            notifiers={"chat": recorder},
            policy=FAST,
            stop=threading.Event(),
            clock=lambda: now[0],
            namespace=namespace,
        )

    first = dispatcher()
    first.route(alert)
    assert recorder.sent == [] and first.release_due() == 0
    restarted = dispatcher()  # a restart during quiet hours keeps the held notice
    restarted.restore()
    assert restarted.held == {alert.id: alert}
    now[0] = T0 + timedelta(hours=2)
    assert restarted.release_due() == 1
    assert recorder.sent == [alert] and restarted.held == {}
    again = dispatcher()
    again.restore()
    assert again.held == {}  # released notices are tombstoned, not sent twice
    producer.close()
