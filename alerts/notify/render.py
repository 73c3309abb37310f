"""Notification texts from the templates in `alerts/templates`, in the channel's language.

Posts are untrusted: HTML is autoescaped and links are shown only when they are web links; in
chat texts (Markdown for Mattermost, mrkdwn for Slack) a post is quoted line by line and cannot
mention everyone, link or format as the notice itself (`chat_quote`).
"""

import re
from datetime import datetime
from functools import lru_cache
from importlib.resources import files
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from jinja2 import Environment, PackageLoader, select_autoescape

from schemas.alert import Alert
from schemas.base import is_web_url

SEVERITY_COLOURS = {"info": "#2b6cb0", "warning": "#c05621", "critical": "#c53030"}


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("alerts", "templates"),
        autoescape=select_autoescape(["html", "html.j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.tests["web_url"] = lambda value: isinstance(value, str) and is_web_url(value)
    return env


# Any @name: @channel, @here, @all page everyone, and a name pages someone.
_MENTION = re.compile(r"@(?=\w)")
# Markdown's punctuation that links, formats, quotes or heads a line (CommonMark escapes it).
_MARKDOWN = re.compile(r"([\\`*_~\[\]()#<>|!])")
_WORD_JOINER, _ZERO_WIDTH_SPACE = "\u2060", "\u200b"


def chat_quote(text: str, flavour: str, limit: int) -> str:
    """`text` as a chat quote: shortened to `limit` characters, every line quoted, no @-mention
    and none of the network's link, mention or formatting syntax working."""
    if len(text) > limit:
        text = text[:limit].rstrip() + "…"
    text = _MENTION.sub("@" + _WORD_JOINER, text)
    if flavour == "mattermost":
        text = _MARKDOWN.sub(r"\\\1", text)
    else:
        if flavour == "slack":  # Slack's own escaping: <!channel>, <@U…>, <url|text> are inert
            text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        text = text.replace("](", "]" + _ZERO_WIDTH_SPACE + "(")
    return "\n".join(f"> {line}" for line in text.splitlines() or [""])


@lru_cache(maxsize=1)
def labels() -> dict[str, Any]:
    text = files("alerts").joinpath("templates/labels.yml").read_text(encoding="utf-8")
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


def subject(alert: Alert, lang: str, branch_names: dict[str, str]) -> str:
    words = labels()[lang]
    where = branch_names.get(alert.branch or "", alert.branch) or words["all_branches"]
    topic = f" · {alert.topic}" if alert.topic else ""
    return (
        f"[Murmure · {words['severity'][alert.severity]}] {words['status'][alert.status]} : "
        f"{alert.description or alert.rule_id} ({where}{topic})"
    )


def render(
    template: str,
    alert: Alert,
    *,
    lang: str,
    timezone: str,
    branch_names: dict[str, str],
    flavour: str = "mattermost",
    quote_chars: int = 280,
) -> str:
    words = labels()[lang]
    zone = ZoneInfo(timezone)

    def when(moment: datetime) -> str:
        return moment.astimezone(zone).strftime(words["date_format"])

    return (
        _environment()
        .get_template(template)
        .render(
            alert=alert,
            t=words,
            lang=lang,
            when=when,
            branch=branch_names.get(alert.branch or "", alert.branch) or words["all_branches"],
            subject=subject(alert, lang, branch_names),
            colour=SEVERITY_COLOURS[alert.severity],
            flavour=flavour,
            quote=lambda text: chat_quote(text, flavour, quote_chars),
        )
    )
