"""The stage worker loop against the real Kafka: a poll that fails while Kafka restarts is
waited out, not fatal."""

import threading
from typing import Any

import pytest
from kafka.errors import KafkaConnectionError

from bus.kafka import make_consumer, make_producer
from bus.worker import Backoff, run_worker
from tests.factories import enriched_mention
from tests.pipeline.test_faults import send_enriched
from tests.pipeline.workers import new_group

pytestmark = pytest.mark.integration


def test_a_poll_that_fails_is_waited_out_and_nothing_is_lost(topics: None) -> None:
    group = new_group("enriched")
    mentions = [enriched_mention(f"Sondage {n}") for n in range(5)]
    wanted = {m.id.encode() for m in mentions}
    send_enriched(mentions)
    consumer = make_consumer(group, "enriched", max_poll_records=50)
    # What kafka-python raised from poll when a metadata refresh met the broker's closed port.
    failures = [KafkaConnectionError("111 ECONNREFUSED")] * 2
    real_poll = consumer.poll

    def poll(**options: Any) -> Any:
        if failures:
            raise failures.pop()
        return real_poll(**options)

    consumer.poll = poll
    handled: list[bytes] = []
    stop = threading.Event()

    def handle(records: list[Any]) -> list[Any]:
        handled.extend(record.key for record in records)
        if wanted <= set(handled):
            stop.set()
        return []

    guard = threading.Timer(300, stop.set)  # bounds only a test that fails
    guard.start()
    producer = make_producer()
    try:
        committed = run_worker(
            stage="poll-test",
            consumer=consumer,
            dlq_producer=producer,
            handle=handle,
            stop=stop,
            batch_size=50,
            backoff=Backoff(first=0.05, factor=2.0, ceiling=0.5),
        )
    finally:
        guard.cancel()
        consumer.close()
        producer.close()
    assert failures == []
    assert sorted(handled) == sorted(wanted)
    assert committed == len(wanted)
