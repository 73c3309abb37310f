"""E-mail over SMTP: a text part and an HTML alternative, in the channel's language.

The server settings are the ones shared with the weekly summaries (`config.smtp`, from the
`MURMURE_SMTP_*` environment variables).
"""

import smtplib
from dataclasses import dataclass, replace
from email.message import EmailMessage
from email.utils import make_msgid

from alerts.notify.base import NotifyError
from alerts.notify.render import render, subject
from config.rules import EmailChannel
from config.smtp import SmtpSettings, send_email
from schemas.alert import Alert


@dataclass
class SmtpNotifier:
    channel: EmailChannel
    settings: SmtpSettings
    timezone: str
    branch_names: dict[str, str]
    timeout_s: float = 10.0

    @property
    def channel_id(self) -> str:
        return self.channel.id

    def message(self, alert: Alert) -> EmailMessage:
        lang = self.channel.language
        message = EmailMessage()
        message["Subject"] = subject(alert, lang, self.branch_names)
        message["From"] = self.settings.sender
        message["To"] = ", ".join(self.channel.to)
        message["Message-ID"] = make_msgid(domain=self.settings.sender.partition("@")[2] or None)
        message["X-Murmure-Alert"] = f"{alert.id}#{alert.sequence}"
        message.set_content(self._render("email.txt.j2", alert))
        message.add_alternative(self._render("email.html.j2", alert), subtype="html")
        return message

    def _render(self, template: str, alert: Alert) -> str:
        return render(
            template,
            alert,
            lang=self.channel.language,
            timezone=self.timezone,
            branch_names=self.branch_names,
        )

    def send(self, alert: Alert) -> None:
        settings = replace(self.settings, timeout=self.timeout_s)
        try:
            send_email(settings, self.message(alert))
        except (OSError, smtplib.SMTPException) as error:
            # The server's reply, never the credentials.
            raise NotifyError(f"SMTP {settings.host}:{settings.port}: {error}") from None
