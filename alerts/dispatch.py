"""`murmure alerts` notifying side: notices from `alerts` → `murmure-alerts` index → channels.

A notice is indexed at once. It is notified at once too, unless it was raised during its rule's
quiet hours: then it waits in the compacted `alerts.held` topic (latest notice per alert) and
goes out when they end. Delivery is at least once: a crash between sending and committing sends
that notice again.
"""

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from elasticsearch import Elasticsearch
from kafka import KafkaProducer

from alerts.index import index_alert
from alerts.notify.base import Notifier
from alerts.notify.delivery import deliver
from alerts.store import read_table
from bus.records import Failure
from bus.stage import DEFAULT_POLICIES, Batch, Policies
from bus.topics import topic
from config.rules import Delivery
from indexer.client import retry_when_unavailable
from schemas.alert import Alert

STAGE = "alerts-notify"
log = logging.getLogger(__name__)


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Dispatcher:
    es: Elasticsearch
    producer: KafkaProducer
    notifiers: dict[str, Notifier]
    policy: Delivery
    stop: threading.Event
    clock: Callable[[], datetime] = _utc_now
    library_id: str | None = None  # notices of other libraries sharing the topic are skipped
    namespace: str = "alerts"
    held: dict[str, Alert] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def restore(self) -> None:
        prefix = f"{self.namespace}/"
        table = read_table("alerts_held")
        with self.lock:
            self.held = {
                key.removeprefix(prefix): Alert.model_validate_json(value)
                for key, value in table.items()
                if key.startswith(prefix)
            }
        log.info("%d notice(s) held for quiet hours", len(self.held))

    def stage(self) -> "NotifyStage":
        return NotifyStage(self)

    def route(self, notice: Alert) -> None:
        if notice.notify_after is not None and notice.notify_after > self.clock():
            self._hold(notice)
            return
        with self.lock:
            superseded = self.held.pop(notice.id, None)
        if superseded is not None:
            self._write_held(notice.id, None)
        self.send(notice)

    def send(self, notice: Alert) -> dict[str, bool]:
        notifiers = [self.notifiers[name] for name in notice.channels if name in self.notifiers]
        return deliver(notice, notifiers, self.policy, self.stop)

    def release_due(self) -> int:
        """Sends the held notices whose quiet hours are over; returns how many."""
        now = self.clock()
        with self.lock:
            due = [n for n in self.held.values() if n.notify_after and n.notify_after <= now]
        for notice in due:
            self.send(notice)
            with self.lock:
                if self.held.get(notice.id) == notice:
                    del self.held[notice.id]
            self._write_held(notice.id, None)
        return len(due)

    def run_releases(self, interval_s: float = 30.0) -> None:
        while not self.stop.wait(interval_s):
            try:
                self.release_due()
            except Exception:  # keep releasing later; the notices stay held
                log.exception("releasing held notices failed")

    def _hold(self, notice: Alert) -> None:
        self._write_held(notice.id, notice)
        with self.lock:
            self.held[notice.id] = notice
        log.info("notice %s held until %s (quiet hours)", notice.id, notice.notify_after)

    def _write_held(self, alert_id: str, notice: Alert | None) -> None:
        value = notice.model_dump_json().encode() if notice is not None else None
        key = f"{self.namespace}/{alert_id}".encode()
        self.producer.send(topic("alerts_held"), key=key, value=value).get(timeout=30)


@dataclass
class NotifyStage:
    """The notifying side as the worker loop runs it: notices of this library, indexed, then
    routed. All are indexed before any is sent: a retry sends nothing twice."""

    dispatcher: Dispatcher
    name: str = STAGE
    holds_back: bool = False
    policies: Policies = DEFAULT_POLICIES

    def validate(self, record: Any) -> Alert:
        return Alert.model_validate_json(record.value)

    def process(self, batch: Batch[Alert]) -> list[Alert]:
        library = self.dispatcher.library_id
        return [
            notice for _, notice in batch.items if library is None or notice.library_id == library
        ]

    def produce(self, output: list[Alert]) -> list[Failure]:
        with retry_when_unavailable():
            for notice in output:
                index_alert(self.dispatcher.es, notice)
        for notice in output:
            self.dispatcher.route(notice)
        return []

    def settle(self, output: list[Alert], committed: bool) -> None:
        pass
