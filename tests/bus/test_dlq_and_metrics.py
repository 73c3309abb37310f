"""Dead letters can be listed and re-injected; workers expose their counts to Prometheus."""

import re
import socket
import urllib.request
import uuid
from types import SimpleNamespace

import pytest
from elasticsearch import Elasticsearch
from typer.testing import CliRunner

from bus.dlq import read_dlq, send_to_dlq
from bus.kafka import make_producer
from bus.metrics import serve_metrics
from bus.records import Failure
from bus.topics import topic
from murmure.cli import app
from tests.factories import enriched_mention
from tests.kafka import read_to_end
from tests.pipeline.test_faults import send_enriched
from tests.pipeline.workers import eventually, index_worker, indexed, new_group

pytestmark = pytest.mark.integration


def last_value(topic_name: str, key: bytes) -> bytes | None:
    """The last value under `key`, reading the whole topic to its current end."""
    values = [record.value for record in read_to_end(topic_name) if record.key == key]
    return values[-1] if values else None


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


def test_dead_letters_of_an_aborted_transaction_are_not_listed(topics: None) -> None:
    stage = f"stage-{uuid.uuid4().hex[:6]}"
    producer = make_producer(transactional_id=f"test-dlq-{stage}")
    producer.init_transactions()
    for offset, commit in ((7, False), (8, True)):
        record = SimpleNamespace(
            topic=topic("enriched"), partition=0, offset=offset, key=b"k", value=b"{oops"
        )
        producer.begin_transaction()
        send_to_dlq(producer, stage, [Failure(record, "invalid EnrichedMention: not JSON")])
        if commit:
            producer.commit_transaction()
        else:
            producer.abort_transaction()
    producer.close()

    assert [letter.offset for letter in read_dlq() if letter.stage == stage] == [8]


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
    with index_worker(new_group("enriched")):
        send_enriched(mentions)
        eventually(lambda: indexed(es, [m.id for m in mentions]) == 7, 300, "indexed")
        eventually(lambda: processed() >= before + 7, 300, "counted")
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics").read().decode()
    assert 'murmure_end_to_end_seconds_count{stage="index"}' in text
    # A sample of the gauge, not only its HELP and TYPE lines: the worker reported its lag.
    assert re.search(r'^murmure_consumer_lag\{stage="index"\} \d', text, re.MULTILINE), text
