"""The notifier seam: one implementation per real backend (SMTP, webhooks)."""

from typing import Protocol

from schemas.alert import Alert


class NotifyError(Exception):
    """A delivery that failed; retried with backoff, then given up on for this channel."""


class Notifier(Protocol):
    @property
    def channel_id(self) -> str: ...

    def send(self, alert: Alert) -> None:
        """Delivers one notice or raises `NotifyError`."""
