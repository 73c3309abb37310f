"""Outgoing e-mail, shared by alerts and weekly summaries: one place for the SMTP settings.

Settings come from the environment (`MURMURE_SMTP_HOST`, `_PORT`, `_USER`, `_FROM`, `_STARTTLS`,
and the secret `MURMURE_SMTP_PASSWORD` or `MURMURE_SMTP_PASSWORD_FILE`); Airflow builds the same
settings from its `murmure_smtp` connection instead.
"""

import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage

from pydantic import SecretStr

from config.secrets import read_secret

PASSWORD_VARIABLE = "MURMURE_SMTP_PASSWORD"
_TRUE = {"1", "true", "yes", "on"}


class SmtpConfigError(ValueError):
    """Names the variable to fix, never a secret."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 25
    sender: str = "murmure@localhost"
    user: str | None = None
    password: SecretStr | None = None
    starttls: bool = False
    timeout: float = 30.0


def smtp_settings_from_env() -> SmtpSettings:
    host = os.environ.get("MURMURE_SMTP_HOST")
    if not host:
        raise SmtpConfigError("set MURMURE_SMTP_HOST (and MURMURE_SMTP_PORT, MURMURE_SMTP_FROM)")
    port_text = os.environ.get("MURMURE_SMTP_PORT", "25")
    try:
        port = int(port_text)
    except ValueError:
        raise SmtpConfigError(f"MURMURE_SMTP_PORT must be a number, not {port_text!r}") from None
    return SmtpSettings(
        host=host,
        port=port,
        sender=os.environ.get("MURMURE_SMTP_FROM", "murmure@localhost"),
        user=os.environ.get("MURMURE_SMTP_USER") or None,
        password=read_secret(PASSWORD_VARIABLE, required=False),
        starttls=os.environ.get("MURMURE_SMTP_STARTTLS", "").strip().lower() in _TRUE,
    )


def send_email(settings: SmtpSettings, message: EmailMessage) -> None:
    """Sends one message; `From` defaults to the configured sender. Errors propagate (retry)."""
    if "From" not in message:
        message["From"] = settings.sender
    with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as client:
        if settings.starttls:
            client.starttls(context=ssl.create_default_context())
        if settings.user and settings.password:
            client.login(settings.user, settings.password.get_secret_value())
        client.send_message(message)
