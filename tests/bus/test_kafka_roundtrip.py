"""A RawMention produced to the real Kafka comes back identical, keyed by its id."""

import pytest

from bus.kafka import make_consumer, make_producer
from bus.topics import topic, topics_file
from bus.worker import consumer_lag
from listeners.publish import publish
from schemas import RawMention
from tests.factories import raw_mention

pytestmark = pytest.mark.integration


def test_topics_are_created_with_their_partitions(topics: None) -> None:
    consumer = make_consumer("roundtrip-check", "raw")
    try:
        partitions = consumer.partitions_for_topic(topic("raw"))
    finally:
        consumer.close()
    assert partitions is not None
    assert len(partitions) == topics_file().topics["raw"].partition_count


def test_raw_mention_round_trip(topics: None) -> None:
    sent = [raw_mention(f"Mention {n} : la médiathèque ferme tôt") for n in range(5)]
    producer = make_producer()
    assert publish(producer, sent) == 5
    producer.close()

    wanted = {m.id for m in sent}
    consumer = make_consumer("roundtrip", "raw", consumer_timeout_ms=20_000)
    received: dict[str, RawMention] = {}
    keys: dict[str, bytes] = {}
    try:
        for record in consumer:  # the topic may hold other tests' messages before ours
            if record.key not in {m.id.encode() for m in sent}:
                continue
            mention = RawMention.model_validate_json(record.value)
            received[mention.id] = mention
            keys[mention.id] = record.key
            if wanted <= set(received):
                break
        consumer.commit()
    finally:
        consumer.close()
    assert wanted <= set(received)
    for mention in sent:
        assert received[mention.id] == mention
        assert keys[mention.id] == mention.id.encode()


def test_lag_from_fetched_high_watermarks_matches_the_broker(topics: None) -> None:
    producer = make_producer()
    publish(producer, [raw_mention(f"Retard {n} : la navette est en panne") for n in range(10)])
    producer.close()
    consumer = make_consumer("lag-check", "raw", max_poll_records=3)
    try:
        assert any(consumer.poll(timeout_ms=1000) for _ in range(30))
        partitions = list(consumer.assignment())
        ends = consumer.end_offsets(partitions)
        expected = sum(ends[tp] - consumer.position(tp) for tp in partitions)
        assert expected >= 7  # the rest of this test's mentions at least
        assert consumer_lag(consumer) == expected
    finally:
        consumer.close()
