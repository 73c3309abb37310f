"""The alerts of the `murmure-alerts` index as a table for the terminal (`murmure demo`), and
which channels could not be used, so that unsent notices are explained, not silent."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from elasticsearch import Elasticsearch
from rich.table import Table

from alerts.conditions import window_of
from alerts.facts import Facts
from alerts.filters import groups, matches
from alerts.notify.webhook import WebhookRefusedError, webhook_url
from alerts.replay import indexed_mentions
from config.profile import Profile
from config.rules import EmailChannel
from config.smtp import SmtpConfigError, smtp_settings_from_env
from indexer.layout import layout
from schemas.alert import Alert


def alerts_since(es: Elasticsearch, since: datetime, *, size: int = 500) -> list[Alert]:
    """The alerts with a notice emitted since `since`, by the time they were raised."""
    alias = layout().alerts.alias
    if not es.indices.exists_alias(name=alias):
        return []
    es.indices.refresh(index=alias)
    response = es.search(
        index=alias,
        size=size,
        query={"range": {"emitted_at": {"gte": since.isoformat()}}},
        sort=[{"raised_at": "asc"}, {"id": "asc"}],
    )
    return [Alert.model_validate(hit["_source"]) for hit in response["hits"]["hits"]]


def first_mention(es: Elasticsearch, profile: Profile, alert: Alert) -> datetime | None:
    """The first indexed mention of the window that opened the alert (the notices only carry
    the latest few)."""
    rule = profile.alerts.rule(alert.rule_id)
    if rule is None:
        return None
    end = alert.raised_at + timedelta(seconds=1)
    for document in indexed_mentions(es, alert.raised_at - window_of(rule.condition), end):
        facts = Facts.of_document(document)
        if matches(rule.filter, facts) and (alert.branch, alert.topic) in groups(rule, facts):
            return facts.created_at
    return None


def alerts_table(
    alerts: list[Alert], profile: Profile, firsts: dict[str, datetime | None], *, title: str
) -> Table:
    """`firsts`: alert id → its first mention (see `first_mention`)."""
    zone = ZoneInfo(profile.library.timezone)

    def local(moment: datetime | None) -> str:
        return moment.astimezone(zone).strftime("%d/%m %H:%M") if moment else "—"

    table = Table(title=title, title_justify="left")
    for column in ("rule", "branch", "topic", "first mention", "opened at"):
        table.add_column(column)
    table.add_column("mentions", justify="right")
    table.add_column("status")
    for alert in alerts:
        status = (
            f"resolved {local(alert.resolved_at)}" if alert.status == "resolved" else alert.status
        )
        table.add_row(
            alert.rule_id,
            alert.branch or "all",
            alert.topic or "all",
            local(firsts.get(alert.id)),
            local(alert.raised_at),
            str(alert.total or alert.count),
            status,
        )
    return table


def unusable_channels(profile: Profile) -> dict[str, str]:
    """Channel id → why its notices are not sent (missing or refused configuration)."""
    problems: dict[str, str] = {}
    for channel in profile.alerts.channels:
        try:
            if isinstance(channel, EmailChannel):
                smtp_settings_from_env()
            else:
                webhook_url(channel, profile.alerts.webhook_allowlist)
        except (SmtpConfigError, WebhookRefusedError) as error:
            problems[channel.id] = str(error)
    return problems
