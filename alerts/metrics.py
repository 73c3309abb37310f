"""Prometheus metrics of the alerts stage, beside the shared worker metrics of `bus.metrics`."""

from prometheus_client import Counter, Gauge

NOTICES = Counter("murmure_alert_notices_total", "Alert notices raised", ["rule", "status"])
LATE = Counter("murmure_alert_late_mentions_total", "Mentions too late to alert on")
NOTIFIED = Counter("murmure_notifications_total", "Notifications delivered", ["channel"])
NOTIFY_FAILED = Counter(
    "murmure_notification_failures_total", "Notifications given up after retries", ["channel"]
)
WAITING = Gauge(
    "murmure_alert_waiting_mentions", "Mentions waiting for the other partitions (event order)"
)
