"""Records no Murmure listener would write, produced by another Kafka client: each is
dead-lettered or cleaned, and the `enrich` worker goes on with the mentions after it."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch
from kafka import KafkaConsumer, TopicPartition

from bus.dlq import DeadLetter, read_dlq
from bus.kafka import make_producer
from bus.topics import topic
from config.settings import get_settings
from indexer.layout import layout
from listeners.publish import publish
from tests.factories import raw_mention
from tests.pipeline.workers import (
    eventually,
    index_worker,
    indexed,
    new_group,
    start_process,
    stop_process,
)

pytestmark = pytest.mark.integration


def kcat() -> str:
    """Debian's `kafkacat` package: a Kafka client written by others, which sends what
    kafka-python refuses to (a record with neither key nor value)."""
    tool = shutil.which("kcat") or shutil.which("kafkacat")
    if tool is None:
        if os.environ.get("CI"):
            pytest.fail("kcat is missing: .ci/run installs Debian's kafkacat")
        pytest.skip("kcat (Debian package kafkacat) not installed")
    return tool


def produce_null_record(topic_name: str, partition: int) -> int:
    """A record whose key and value are both null; returns its offset."""
    consumer = KafkaConsumer(bootstrap_servers=get_settings().kafka_bootstrap)
    tp = TopicPartition(topic_name, partition)
    try:
        offset = consumer.end_offsets([tp])[tp]
    finally:
        consumer.close()
    bootstrap = get_settings().kafka_bootstrap
    subprocess.run(
        [kcat(), "-b", bootstrap, "-P", "-t", topic_name, "-p", str(partition), "-K", ":", "-Z"],
        input=b":\n",  # an empty key and an empty value, sent as nulls (-Z)
        check=True,
        timeout=60,
    )
    return int(offset)


def _letter(topic_name: str, partition: int, offset: int) -> DeadLetter | None:
    return next(
        (
            letter
            for letter in read_dlq()
            if (letter.topic, letter.partition, letter.offset) == (topic_name, partition, offset)
        ),
        None,
    )


def _keyed_letters(keys: set[bytes]) -> dict[bytes, DeadLetter]:
    return {letter.key: letter for letter in read_dlq() if letter.key in keys}


def test_hostile_records_are_dead_lettered_or_cleaned_and_enrich_goes_on(
    es: Elasticsearch, topics: None, tmp_path: Path
) -> None:
    enrich_group, index_group = new_group("raw"), new_group("enriched")
    null_offset = produce_null_record(topic("raw"), 0)
    sound = raw_mention("Le wifi de la médiathèque centrale est lent ce matin")
    future = json.loads(raw_mention().model_dump_json()) | {
        "created_at": "9999-12-31T23:59:59Z",
        "fetched_at": "9999-12-31T23:59:59Z",
    }
    scripted = json.loads(raw_mention().model_dump_json()) | {"url": "javascript:alert(1)"}
    with_nul = json.loads(raw_mention("Wifi\u0000 coupé à la médiathèque").model_dump_json())
    hostile = {
        f"mastodon:{future['native_id']}".encode(): future,
        f"mastodon:{scripted['native_id']}".encode(): scripted,
    }
    producer = make_producer()
    for key, fields in [*hostile.items(), (f"mastodon:{with_nul['native_id']}".encode(), with_nul)]:
        producer.send(topic("raw"), key=key, value=json.dumps(fields).encode())
    producer.flush()
    good = [raw_mention(f"Merci pour l'atelier de la médiathèque, séance {n}") for n in range(8)]
    publish(producer, [sound, *good])
    producer.close()
    nul_id = f"mastodon:{with_nul['native_id']}"
    ids = [m.id for m in [sound, *good]] + [nul_id]

    enrich = start_process("enrich", enrich_group, tmp_path / "enrich.log")
    try:
        with index_worker(index_group):
            eventually(lambda: indexed(es, ids) == len(ids), 180, "the good mentions indexed")
            eventually(lambda: len(_keyed_letters(set(hostile))) == 2, 60, "2 keyed dead letters")
            eventually(
                lambda: _letter(topic("raw"), 0, null_offset) is not None, 60, "the null record"
            )
        assert enrich.poll() is None, (tmp_path / "enrich.log").read_text()[-3000:]
    finally:
        code = stop_process(enrich)
    assert code == 0, (tmp_path / "enrich.log").read_text()[-3000:]

    null = _letter(topic("raw"), 0, null_offset)
    assert null is not None and null.key is None and null.value is None
    assert null.stage == "enrich" and "JSON" in null.error
    letters = _keyed_letters(set(hostile))
    dated = letters[next(iter(hostile))]
    assert "fetched_at" in dated.error and "9999" in dated.error
    assert json.loads(dated.value or b"") == future  # the original bytes, for a later replay
    assert "url" in letters[list(hostile)[1]].error
    assert indexed(es, [key.decode() for key in hostile]) == 0
    document = es.search(index=layout().mentions.alias, query={"ids": {"values": [nul_id]}})[
        "hits"
    ]["hits"][0]["_source"]
    assert document["text"] == "Wifi coupé à la médiathèque"
