"""Notification texts from the templates in `alerts/templates`, in the channel's language."""

from datetime import datetime
from functools import lru_cache
from importlib.resources import files
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from jinja2 import Environment, PackageLoader, select_autoescape

from schemas.alert import Alert

SEVERITY_COLOURS = {"info": "#2b6cb0", "warning": "#c05621", "critical": "#c53030"}


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("alerts", "templates"),
        autoescape=select_autoescape(["html", "html.j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


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
    template: str, alert: Alert, *, lang: str, timezone: str, branch_names: dict[str, str]
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
        )
    )
