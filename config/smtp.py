"""Outgoing e-mail, shared by alerts and weekly summaries: one place for the SMTP settings.

Settings come from the environment (`MURMURE_SMTP_HOST`, `_PORT`, `_USER`, `_FROM`, `_STARTTLS`,
and the secret `MURMURE_SMTP_PASSWORD` or `MURMURE_SMTP_PASSWORD_FILE`); Airflow builds the same
settings from its `murmure_smtp` connection instead.
"""

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage

from pydantic import SecretStr, ValidationError

from config.secrets import read_secret
from config.settings import Settings

PASSWORD_VARIABLE = "MURMURE_SMTP_PASSWORD"


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
    """Read at each call, not cached: channels are built when a worker starts."""
    try:
        settings = Settings()
    except ValidationError as error:
        problems = "; ".join(
            f"MURMURE_{'_'.join(str(p) for p in item['loc']).upper()}: {item['msg']}"
            for item in error.errors()
        )
        raise SmtpConfigError(f"invalid settings: {problems}") from None
    if not settings.smtp_host:
        raise SmtpConfigError("set MURMURE_SMTP_HOST (and MURMURE_SMTP_PORT, MURMURE_SMTP_FROM)")
    return SmtpSettings(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.smtp_from,
        user=settings.smtp_user,
        password=read_secret(PASSWORD_VARIABLE, required=False),
        starttls=settings.smtp_starttls,
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
