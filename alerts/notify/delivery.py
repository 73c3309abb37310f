"""Sends one notice to all its channels at once, each with bounded retries and backoff, so a
failing channel delays nothing else and is given up on (logged, counted) after its attempts."""

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from alerts.metrics import NOTIFIED, NOTIFY_FAILED
from alerts.notify.base import Notifier, NotifyError
from config.rules import Delivery
from schemas.alert import Alert

log = logging.getLogger(__name__)


def _with_retries(
    notifier: Notifier, alert: Alert, policy: Delivery, stop: threading.Event
) -> bool:
    delay = policy.first_delay_s
    for attempt in range(1, policy.attempts + 1):
        try:
            notifier.send(alert)
        except NotifyError as error:
            log.warning(
                "notice %s to %s failed (attempt %d/%d): %s",
                alert.id,
                notifier.channel_id,
                attempt,
                policy.attempts,
                error,
            )
            if attempt == policy.attempts or stop.wait(delay):
                break
            delay = min(delay * 2, policy.max_delay_s)
        except Exception as error:  # the notice itself is at fault: no retry, no dead thread
            log.error("notice %s to %s not built: %r", alert.id, notifier.channel_id, error)
            break
        else:
            NOTIFIED.labels(notifier.channel_id).inc()
            return True
    NOTIFY_FAILED.labels(notifier.channel_id).inc()
    log.error("notice %s to %s given up", alert.id, notifier.channel_id)
    return False


def deliver(
    alert: Alert, notifiers: list[Notifier], policy: Delivery, stop: threading.Event
) -> dict[str, bool]:
    """Channel id → delivered."""
    if not notifiers:
        return {}
    with ThreadPoolExecutor(max_workers=len(notifiers)) as pool:
        futures = {
            notifier.channel_id: pool.submit(_with_retries, notifier, alert, policy, stop)
            for notifier in notifiers
        }
        return {channel: future.result() for channel, future in futures.items()}
