"""Chat webhooks: Mattermost and Slack take `{"text": …}`, Microsoft Teams an Adaptive Card
message, `generic` the alert itself. The URL embeds a token: it comes from the environment
variable the channel names, is checked against the profile's allow-list, and is never logged."""

import os
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from pydantic import AnyHttpUrl

from alerts.notify.base import NotifyError
from alerts.notify.render import chat_quote, labels, render, subject
from config.rules import WebhookChannel
from schemas.alert import Alert


class WebhookRefusedError(ValueError):
    """The channel cannot be used: its URL is missing or not allow-listed."""


def allowed(url: str, allowlist: list[AnyHttpUrl]) -> bool:
    """Same scheme, host and port, and a path under the allow-listed one (no prefix tricks:
    `https://hooks.example.org.evil.example/` does not pass for `https://hooks.example.org/`)."""
    target = urlsplit(url)
    if target.scheme not in {"http", "https"} or not target.hostname:
        return False
    for entry in allowlist:
        base = urlsplit(str(entry))
        base_path = base.path if base.path.endswith("/") else base.path + "/"
        if (
            target.scheme == base.scheme
            and target.hostname == base.hostname
            and target.port == base.port
            and (target.path + "/").startswith(base_path)
        ):
            return True
    return False


def webhook_url(channel: WebhookChannel, allowlist: list[AnyHttpUrl]) -> str:
    url = os.environ.get(channel.url_env, "").strip()
    if not url:
        raise WebhookRefusedError(
            f"channel {channel.id!r}: set {channel.url_env} to its webhook URL"
        )
    if not allowed(url, allowlist):
        raise WebhookRefusedError(
            f"channel {channel.id!r}: the URL in {channel.url_env} is not under any "
            "alerts.webhook_allowlist entry of the profile"
        )
    return url


def payload(
    flavour: str,
    alert: Alert,
    *,
    lang: str,
    timezone: str,
    branch_names: dict[str, str],
    quote_chars: int = WebhookChannel.model_fields["quote_chars"].default,
) -> dict[str, Any]:
    if flavour == "generic":
        return alert.model_dump(mode="json")
    if flavour in {"mattermost", "slack"}:
        text = render(
            "chat.md.j2",
            alert,
            lang=lang,
            timezone=timezone,
            branch_names=branch_names,
            flavour=flavour,
            quote_chars=quote_chars,
        )
        return {"text": text}
    words = labels()[lang]
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "text": subject(alert, lang, branch_names),
            "weight": "Bolder",
            "size": "Medium",
            "wrap": True,
            "color": "Attention" if alert.severity == "critical" else "Warning",
        },
        {
            "type": "FactSet",
            "facts": [
                {"title": words["count"], "value": str(alert.count)},
                {"title": words["total"], "value": str(alert.total)},
            ],
        },
    ]
    body.extend(
        {
            "type": "TextBlock",
            "text": chat_quote(mention.text_redacted, flavour, quote_chars),
            "wrap": True,
            "isSubtle": True,
        }
        for mention in alert.mentions
    )
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    if alert.search_url:
        card["actions"] = [
            {"type": "Action.OpenUrl", "title": words["search"], "url": alert.search_url}
        ]
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }


@dataclass
class WebhookNotifier:
    channel: WebhookChannel
    url: str
    timezone: str
    branch_names: dict[str, str]
    lang: str = "fr"
    timeout_s: float = 10.0

    @property
    def channel_id(self) -> str:
        return self.channel.id

    def send(self, alert: Alert) -> None:
        body = payload(
            self.channel.flavour,
            alert,
            lang=self.lang,
            timezone=self.timezone,
            branch_names=self.branch_names,
            quote_chars=self.channel.quote_chars,
        )
        try:
            response = httpx.post(self.url, json=body, timeout=self.timeout_s)
        except httpx.HTTPError as error:
            raise NotifyError(f"webhook {self.channel.id!r}: {type(error).__name__}") from None
        if response.status_code >= 300:
            raise NotifyError(f"webhook {self.channel.id!r}: HTTP {response.status_code}")
