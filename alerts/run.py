"""Wires `murmure alerts`: the engine consumer and the notifying consumer, in two threads, so
a slow or failing channel never holds up the rules (nor the other way round)."""

import logging
import threading
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

from elasticsearch import Elasticsearch
from kafka import KafkaConsumer

from alerts.dispatch import Dispatcher
from alerts.engine import Engine
from alerts.index import ensure_alerts_index
from alerts.lag import GroupLag
from alerts.notify.base import Notifier
from alerts.notify.channels import build_notifiers
from alerts.reorder import Reorderer, Reordering, default_reordering
from alerts.unanswered import run_reminders
from alerts.worker import AlertsStage, restore
from bus.commit import OffsetCommit, TransactionCommit
from bus.kafka import ensure_topics, make_consumer, make_producer
from bus.topics import TopicKey
from bus.worker import Backoff, run_worker
from config.profile import Profile
from indexer.client import make_es_client

log = logging.getLogger(__name__)
DEFAULT_BACKOFF = Backoff()
NOTIFY_BATCH = 20  # notices per batch: each may wait for its channels' retries


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
    namespace = f"{profile.library.id}.{group}"
    with ExitStack() as opened:
        es = make_es_client()
        opened.callback(es.close)
        ensure_alerts_index(es)
        busy = upstream_busy or _upstream_busy(upstream_group, opened)
        rules, rules_commit = _rules(
            profile, group, namespace, batch_size, reordering, busy, opened
        )
        dispatcher = _dispatcher(es, profile, namespace, notifiers, stop, opened)
        notify_consumer = _consumer(f"{group}-notify", "alerts", NOTIFY_BATCH, opened)
        loop = {"stop": stop, "backoff": backoff}
        threads = [
            _loop(
                "alerts-rules",
                stage=rules,
                consumer=rules.consumer,
                commit=rules_commit,
                batch_size=batch_size,
                **loop,
            ),
            _loop(
                "alerts-notify",
                stage=dispatcher.stage(),
                consumer=notify_consumer,
                commit=OffsetCommit(notify_consumer, dispatcher.producer),
                batch_size=NOTIFY_BATCH,
                **loop,
            ),
            *_timers(es, profile, dispatcher, stop, release_interval_s, reminder_interval_s),
        ]
        _supervise(threads, stop)


def _loop(name: str, **options: Any) -> threading.Thread:
    return threading.Thread(target=run_worker, name=name, kwargs=options)


def _timers(
    es: Elasticsearch,
    profile: Profile,
    dispatcher: Dispatcher,
    stop: threading.Event,
    release_interval_s: float,
    reminder_interval_s: float,
) -> list[threading.Thread]:
    """What runs on the wall clock: notices held for quiet hours, the `unanswered` rules."""
    return [
        threading.Thread(
            target=dispatcher.run_releases, name="alerts-held", args=(release_interval_s,)
        ),
        threading.Thread(
            target=run_reminders,
            name="alerts-unanswered",
            args=(es, profile, dispatcher.producer, stop, reminder_interval_s),
        ),
    ]


def _rules(
    profile: Profile,
    group: str,
    namespace: str,
    batch_size: int,
    reordering: Reordering | None,
    upstream_busy: Callable[[], bool],
    opened: ExitStack,
) -> tuple[AlertsStage, TransactionCommit]:
    """The rules' stage with its state restored, committed in transactions."""
    engine = make_engine(profile)
    # Fences any older instance (same transactional id) before its state is read.
    producer = make_producer(transactional_id=f"murmure-alerts.{namespace}")
    opened.callback(producer.close)
    producer.init_transactions()
    restore(engine, namespace)
    consumer = _consumer(group, "enriched", batch_size, opened)
    reorderer = Reorderer((reordering or default_reordering()).idle_after_s)
    stage = AlertsStage(engine, consumer, producer, namespace, reorderer, upstream_busy)
    return stage, TransactionCommit(consumer, producer)


def _dispatcher(
    es: Elasticsearch,
    profile: Profile,
    namespace: str,
    notifiers: dict[str, Notifier] | None,
    stop: threading.Event,
    opened: ExitStack,
) -> Dispatcher:
    producer = make_producer()
    opened.callback(producer.close)
    dispatcher = Dispatcher(
        es=es,
        producer=producer,
        notifiers=build_notifiers(profile) if notifiers is None else notifiers,
        policy=profile.alerts.delivery,
        stop=stop,
        library_id=profile.library.id,
        namespace=namespace,
    )
    dispatcher.restore()
    return dispatcher


def _upstream_busy(upstream_group: str | None, opened: ExitStack) -> Callable[[], bool]:
    if not upstream_group:
        return lambda: False
    lag = GroupLag("raw")
    opened.callback(lag.close)
    return lambda: lag.of(upstream_group) > 0


def _consumer(group: str, topic_key: TopicKey, batch_size: int, opened: ExitStack) -> KafkaConsumer:
    consumer = make_consumer(group, topic_key, max_poll_records=batch_size)
    opened.callback(consumer.close)
    return consumer


def _supervise(threads: list[threading.Thread], stop: threading.Event) -> None:
    """Runs the threads until `stop` is set; one of them dying stops them all."""
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
