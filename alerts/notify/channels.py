"""The profile's channels as notifiers; a channel that cannot work is reported, not fatal."""

import logging

from alerts.notify.base import Notifier
from alerts.notify.email import SmtpNotifier
from alerts.notify.webhook import WebhookNotifier, WebhookRefusedError, webhook_url
from config.profile import Profile
from config.rules import EmailChannel
from config.smtp import SmtpConfigError, smtp_settings_from_env

log = logging.getLogger(__name__)


def build_notifiers(profile: Profile) -> dict[str, Notifier]:
    alerts = profile.alerts
    timeout = alerts.delivery.timeout_s
    names = {branch.id: branch.name for branch in profile.branches}
    zone = profile.library.timezone
    notifiers: dict[str, Notifier] = {}
    for channel in alerts.channels:
        if isinstance(channel, EmailChannel):
            try:
                smtp = smtp_settings_from_env()
            except SmtpConfigError as error:
                log.error("e-mail channel %r: %s; its notices will not be sent", channel.id, error)
                continue
            notifiers[channel.id] = SmtpNotifier(channel, smtp, zone, names, timeout)
            continue
        try:
            url = webhook_url(channel, alerts.webhook_allowlist)
        except WebhookRefusedError as refused:
            log.error("%s: its notices will not be sent", refused)
            continue
        notifiers[channel.id] = WebhookNotifier(
            channel, url, zone, names, lang=profile.summaries.language, timeout_s=timeout
        )
    return notifiers
