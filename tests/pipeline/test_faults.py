"""The pipeline loses nothing and duplicates nothing when its parts fail, on the real services."""

import json
import signal
from collections.abc import Sequence
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from bus.dlq import DeadLetter, read_dlq
from bus.kafka import make_producer
from bus.topics import topic
from indexer.layout import layout
from listeners.publish import publish
from schemas import EnrichedMention
from services.stack import start_service, stop_service
from tests.factories import enriched_mention, raw_mention
from tests.pipeline.workers import (
    children,
    eventually,
    index_worker,
    indexed,
    new_group,
    running,
    start_process,
    stop_process,
)

pytestmark = pytest.mark.integration


def send_enriched(mentions: Sequence[EnrichedMention]) -> None:
    producer = make_producer()
    for mention in mentions:
        producer.send(
            topic("enriched"), key=mention.id.encode(), value=mention.model_dump_json().encode()
        )
    producer.flush()
    producer.close()


def test_elasticsearch_stopped_mid_stream_loses_and_duplicates_nothing(
    es: Elasticsearch, topics: None
) -> None:
    mentions = [enriched_mention(f"Wifi en panne, message {n}") for n in range(300)]
    ids = [m.id for m in mentions]
    with index_worker(new_group("enriched")):
        send_enriched(mentions[:100])
        eventually(lambda: indexed(es, ids) >= 50, 300, "first mentions indexed")
        stop_service("elasticsearch")
        send_enriched(mentions[100:])
        start_service("elasticsearch")
        eventually(lambda: indexed(es, ids) == len(ids), 600, "every mention indexed")
    assert indexed(es, ids) == len(ids)
    total = es.count(index=layout().mentions.alias, query={"ids": {"values": ids}})["count"]
    assert total == 300


def test_enrich_killed_mid_batch_then_restarted_indexes_each_mention_once(
    es: Elasticsearch, topics: None, tmp_path: Path
) -> None:
    mentions = [
        raw_mention(f"La médiathèque de Lanvern est fermée ? question {n}") for n in range(400)
    ]
    ids = [m.id for m in mentions]
    enrich_group = new_group("raw")
    producer = make_producer()
    publish(producer, mentions[:300])
    with index_worker(new_group("enriched")):
        worker = start_process("enrich", enrich_group, tmp_path / "enrich.log")
        eventually(lambda: indexed(es, ids) >= 40, 300, "enrichment under way")
        nlp_processes = children(worker.pid)
        assert nlp_processes
        assert stop_process(worker, signal.SIGKILL) == -signal.SIGKILL
        eventually(
            lambda: not any(running(pid) for pid in nlp_processes), 300, "NLP processes gone too"
        )
        # Posted while enrich was down: however far the killed worker got, the restarted one
        # has work left, whatever the speed of the machine.
        publish(producer, mentions[300:])
        producer.close()
        worker = start_process("enrich", enrich_group, tmp_path / "enrich.log")
        try:
            eventually(lambda: indexed(es, ids) == len(ids), 600, "every mention indexed")
        finally:
            assert stop_process(worker) == 0, (tmp_path / "enrich.log").read_text()[-2000:]
    assert indexed(es, ids) == len(ids)


def test_workers_reconnect_after_a_kafka_restart(
    es: Elasticsearch, topics: None, tmp_path: Path
) -> None:
    mentions = [raw_mention(f"Plus de prises à la BU du Stang, essai {n}") for n in range(200)]
    ids = [m.id for m in mentions]
    enrich = start_process("enrich", new_group("raw"), tmp_path / "enrich.log")
    index = start_process("index", new_group("enriched"), tmp_path / "index.log")
    try:
        producer = make_producer()
        publish(producer, mentions[:100])
        producer.close()
        eventually(lambda: indexed(es, ids) >= 20, 300, "first mentions indexed")
        stop_service("kafka")
        start_service("kafka")
        producer = make_producer()
        publish(producer, mentions[100:])
        producer.close()
        eventually(lambda: indexed(es, ids) == len(ids), 600, "every mention indexed")
    finally:
        assert stop_process(enrich) == 0, (tmp_path / "enrich.log").read_text()[-2000:]
        assert stop_process(index) == 0, (tmp_path / "index.log").read_text()[-2000:]


def test_bad_messages_go_to_the_dlq_with_their_reason_and_the_good_ones_are_indexed(
    es: Elasticsearch, topics: None, tmp_path: Path
) -> None:
    good = [raw_mention(f"Merci à l'équipe de la médiathèque centrale {n}") for n in range(10)]
    too_big = json.loads(raw_mention().model_dump_json()) | {"text": "é" * 2_000_000}
    bad_raw = {
        b"not-json": b"{this is not json",
        b"invalid": json.dumps({"source": "x", "text": "missing fields"}).encode(),
        b"several-mb": json.dumps(too_big, ensure_ascii=False).encode(),  # 4 MB
        b"broken-utf8": raw_mention().model_dump_json().encode().replace(b"wifi", b"wi\xff\xfe"),
    }
    rejected_by_mapping = enriched_mention("Requête immense", query="q" * 40_000)
    enrich_group, index_group = new_group("raw"), new_group("enriched")
    producer = make_producer()
    futures = [producer.send(topic("raw"), key=key, value=value) for key, value in bad_raw.items()]
    producer.flush()
    for future in futures:
        future.get(timeout=30)
    publish(producer, good)
    producer.close()
    send_enriched([rejected_by_mapping])
    ids = [m.id for m in good]

    enrich = start_process("enrich", enrich_group, tmp_path / "enrich.log")
    try:
        with index_worker(index_group):
            eventually(lambda: indexed(es, ids) == len(ids), 300, "good mentions indexed")
            eventually(
                lambda: len(_letters(set(bad_raw), rejected_by_mapping.id)) == 5,
                300,
                "5 dead letters",
            )
    finally:
        assert stop_process(enrich) == 0
    letters = _letters(set(bad_raw), rejected_by_mapping.id)
    assert letters[b"not-json"].error.startswith("invalid RawMention")
    assert "json" in letters[b"not-json"].error.lower()
    assert "source" in letters[b"invalid"].error or "native_id" in letters[b"invalid"].error
    assert "text" in letters[b"several-mb"].error
    assert len(letters[b"several-mb"].value or b"") > 3_000_000
    assert letters[b"broken-utf8"].value == bad_raw[b"broken-utf8"]
    assert letters[b"not-json"].stage == "enrich"
    assert letters[b"not-json"].topic == topic("raw")
    assert letters[b"not-json"].offset >= 0
    mapping = letters[rejected_by_mapping.id.encode()]
    assert mapping.stage == "index"
    assert "rejected by Elasticsearch" in mapping.error
    assert indexed(es, [rejected_by_mapping.id]) == 0


def _letters(keys: set[bytes], mapping_id: str) -> dict[bytes, DeadLetter]:
    wanted = keys | {mapping_id.encode()}
    return {
        letter.key: letter
        for letter in read_dlq()
        if letter.key is not None and letter.key in wanted
    }
