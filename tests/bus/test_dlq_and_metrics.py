"""Dead letters can be listed and re-injected; workers expose their counts to Prometheus."""

import socket
import urllib.request
import uuid
from types import SimpleNamespace

import pytest
from elasticsearch import Elasticsearch
from kafka import KafkaConsumer, TopicPartition
from typer.testing import CliRunner

from bus.dlq import send_to_dlq
from bus.kafka import make_producer
from bus.metrics import serve_metrics
from bus.records import Failure
from bus.topics import topic
from config.settings import get_settings
from murmure.cli import app
from tests.factories import enriched_mention
from tests.pipeline.test_faults import send_enriched
from tests.pipeline.workers import eventually, index_worker, indexed

pytestmark = pytest.mark.integration


def last_value(topic_name: str, key: bytes) -> bytes | None:
    """The last value under `key`, reading the whole topic to its current end."""
    consumer = KafkaConsumer(bootstrap_servers=get_settings().kafka_bootstrap)
    try:
        consumer.topics()  # loads the metadata, without which partitions_for_topic may be None
        partitions = [
            TopicPartition(topic_name, p) for p in consumer.partitions_for_topic(topic_name) or ()
        ]
        assert partitions, f"no topic {topic_name}"
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends = consumer.end_offsets(partitions)
        found = None
        while any(consumer.position(tp) < ends[tp] for tp in partitions):
            for batch in consumer.poll(timeout_ms=5_000).values():
                for record in batch:
                    if record.key == key:
                        found = record.value
        return found
    finally:
        consumer.close()


def test_dead_letters_are_listed_and_replayed_to_their_topic(topics: None) -> None:
    stage = f"stage-{uuid.uuid4().hex[:6]}"
    key = uuid.uuid4().hex.encode()
    record = SimpleNamespace(
        topic=topic("enriched"), partition=0, offset=41, key=key, value=b"{oops"
    )
    producer = make_producer()
    send_to_dlq(producer, stage, [Failure(record, "invalid EnrichedMention: not JSON")])
    producer.close()

    listed = CliRunner().invoke(app, ["dlq", "list", "--stage", stage])
    assert listed.exit_code == 0, listed.output
    assert stage in listed.output and "not JSON" in listed.output and "@41" in listed.output

    replayed = CliRunner().invoke(app, ["dlq", "replay", "--stage", stage])
    assert replayed.exit_code == 0, replayed.output
    assert "Re-injected 1 message" in replayed.output
    assert last_value(topic("enriched"), key) == b"{oops"


def test_the_index_worker_counts_what_it_processed(es: Elasticsearch, topics: None) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    serve_metrics(port)

    def processed() -> float:
        text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics").read().decode()
        for line in text.splitlines():
            if line.startswith('murmure_processed_total{stage="index"}'):
                return float(line.split()[-1])
        return 0.0

    before = processed()
    mentions = [enriched_mention(f"Compteur {n}") for n in range(7)]
    with index_worker(f"metrics-{uuid.uuid4().hex[:6]}"):
        send_enriched(mentions)
        eventually(lambda: indexed(es, [m.id for m in mentions]) == 7, 60, "indexed")
        eventually(lambda: processed() >= before + 7, 10, "counted")
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics").read().decode()
    assert 'murmure_end_to_end_seconds_count{stage="index"}' in text
    assert "murmure_consumer_lag" in text
