"""Wires `murmure alerts`: the engine consumer and the notifying consumer, in two threads, so
a slow or failing channel never holds up the rules (nor the other way round)."""

import logging
import threading
from collections.abc import Callable

from alerts.dispatch import STAGE as NOTIFY_STAGE
from alerts.dispatch import Dispatcher
from alerts.engine import Engine
from alerts.index import ensure_alerts_index
from alerts.lag import GroupLag
from alerts.notify.base import Notifier
from alerts.notify.channels import build_notifiers
from alerts.reorder import Reorderer, Reordering, default_reordering
from alerts.unanswered import run_reminders
from alerts.worker import STAGE, make_handler, restore
from bus.kafka import ensure_topics, make_consumer, make_producer
from bus.worker import Backoff, run_worker
from config.profile import Profile
from indexer.client import make_es_client

log = logging.getLogger(__name__)
DEFAULT_BACKOFF = Backoff()


def make_engine(profile: Profile) -> Engine:
    return Engine(
        profile.alerts,
        library_id=profile.library.id,
        timezone=profile.library.timezone,
    )


def run_alerts(
    profile: Profile,
    *,
    group: str,
    batch_size: int,
    stop: threading.Event,
    notifiers: dict[str, Notifier] | None = None,
    backoff: Backoff = DEFAULT_BACKOFF,
    release_interval_s: float = 30.0,
    reminder_interval_s: float = 300.0,
    upstream_group: str | None = None,
    upstream_busy: Callable[[], bool] | None = None,
    reordering: Reordering | None = None,
) -> None:
    """Runs until `stop` is set. `notifiers` defaults to the profile's channels.

    `upstream_group`: the consumer group of the NLP stage on `mentions.raw`; while it has raw
    mentions left, caught-up partitions still wait for what it will produce (a full-speed
    replay keeps its event order). None: a caught-up partition is idle at once.
    `upstream_busy` says the same by other means (it takes precedence).
    `reminder_interval_s`: how often the `unanswered` rules are checked (wall clock)."""
    ensure_topics()
    es = make_es_client()
    ensure_alerts_index(es)
    engine = make_engine(profile)
    # Fences any older instance (same transactional id) before its state is read.
    namespace = f"{profile.library.id}.{group}"
    producer = make_producer(transactional_id=f"murmure-alerts.{namespace}")
    producer.init_transactions()
    restore(engine, namespace)
    consumer = make_consumer(group, "enriched", max_poll_records=batch_size)
    reorderer = Reorderer((reordering or default_reordering()).idle_after_s)
    upstream = GroupLag("raw") if upstream_group and upstream_busy is None else None

    def busy_upstream() -> bool:
        if upstream_busy is not None:
            return upstream_busy()
        if upstream is None or upstream_group is None:
            return False
        return upstream.of(upstream_group) > 0

    notify_producer = make_producer()
    notify_consumer = make_consumer(f"{group}-notify", "alerts", max_poll_records=20)
    dispatcher = Dispatcher(
        es=es,
        producer=notify_producer,
        notifiers=build_notifiers(profile) if notifiers is None else notifiers,
        policy=profile.alerts.delivery,
        stop=stop,
        library_id=profile.library.id,
        namespace=namespace,
    )
    dispatcher.restore()
    threads = [
        threading.Thread(
            target=run_worker,
            name="alerts-rules",
            kwargs={
                "stage": STAGE,
                "consumer": consumer,
                "dlq_producer": producer,
                "handle": make_handler(
                    engine, consumer, producer, namespace, reorderer, busy_upstream
                ),
                "stop": stop,
                "batch_size": batch_size,
                "backoff": backoff,
                "handle_idle": True,
                "commit_offsets": False,
            },
        ),
        threading.Thread(
            target=run_worker,
            name="alerts-notify",
            kwargs={
                "stage": NOTIFY_STAGE,
                "consumer": notify_consumer,
                "dlq_producer": notify_producer,
                "handle": dispatcher.handler(),
                "stop": stop,
                "batch_size": 20,
                "backoff": backoff,
            },
        ),
        threading.Thread(
            target=dispatcher.run_releases, name="alerts-held", args=(release_interval_s,)
        ),
        threading.Thread(
            target=run_reminders,
            name="alerts-unanswered",
            args=(es, profile, notify_producer, stop, reminder_interval_s),
        ),
    ]
    try:
        for thread in threads:
            thread.start()
        while not stop.wait(1.0):
            if not all(thread.is_alive() for thread in threads):
                log.error("an alerts thread died: stopping")
                stop.set()
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
        consumer.close()
        notify_consumer.close()
        producer.close()
        notify_producer.close()
        if upstream is not None:
            upstream.close()
        es.close()
