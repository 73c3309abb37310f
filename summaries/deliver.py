"""Sends a week's report once: the sent state lives in `murmure-summaries`; `force` resends."""

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from elasticsearch import Elasticsearch

from config.smtp import SmtpSettings, send_email
from schemas.summary import WeeklySummary
from summaries.archive import mark_sent, sent_at
from summaries.mail import build_email
from summaries.render import Report

log = logging.getLogger(__name__)


class NoRecipientsError(ValueError):
    """The profile lists nobody under `summaries.recipients`."""


def send_once(
    es: Elasticsearch,
    summary: WeeklySummary,
    report: Report,
    *,
    smtp: SmtpSettings,
    recipients: list[str],
    force: bool = False,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> str | None:
    """Returns when it was sent, or None if it had been already (and `force` was not given).

    At least once: if the process dies between sending and recording, the rerun sends again.
    """
    if not recipients:
        raise NoRecipientsError("no recipients: set summaries.recipients in the profile")
    already = sent_at(es, summary.library_id, summary.week)
    if already and not force:
        log.info("summary %s already sent at %s; not sending again", summary.week, already)
        return None
    send_email(smtp, build_email(report, sender=smtp.sender, recipients=recipients))
    when = now()
    mark_sent(es, summary, when=when, recipients=recipients)
    log.info("summary %s sent to %d recipient(s)", summary.week, len(recipients))
    return when.isoformat()
