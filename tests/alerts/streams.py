"""Crafted mention streams for the rule engine: facts built directly, times explicit."""

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from alerts.engine import Engine
from alerts.facts import Facts
from config.rules import AlertsConfig
from schemas.alert import Alert

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)  # a Monday
FIXED = datetime(2030, 1, 1, tzinfo=UTC)


def fact(
    n: int,
    at: datetime,
    *,
    topics: tuple[str, ...] = ("wifi",),
    complaint: bool = True,
    branch: str | None = "lanvern",
    text: str = "le wifi ne marche plus",
    source: str = "mastodon",
    institution: bool = False,
) -> Facts:
    return Facts(
        id=f"{source}:{n}",
        created_at=at,
        topics=topics,
        sentiment="negative" if complaint else "neutral",
        complaint=complaint,
        branch=branch,
        source=source,
        lang="fr",
        text=text,
        url=f"https://social.example/{n}",
        institution=institution,
    )


def engine(rules: Sequence[Mapping[str, Any]], **config: object) -> Engine:
    alerts = AlertsConfig.model_validate({"rules": rules} | config)
    return Engine(alerts, library_id="test", timezone="Europe/Paris", clock=lambda: FIXED)


def run(eng: Engine, stream: list[Facts]) -> list[Alert]:
    return [notice for item in stream for notice in eng.process(item)]


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def opened(notices: list[Alert]) -> list[Alert]:
    return [notice for notice in notices if notice.status == "open"]
