"""The stage worker loop against the real Kafka: a poll that fails while Kafka restarts is
waited out; a step's error is handled by its policy (the batch dead-lettered and the loop goes
on, the batch redone, or the loop stopped with nothing committed); a transaction commit writes
the output, the dead letters and the offsets together or not at all."""

import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic
from kafka.errors import KafkaConnectionError, KafkaError

from alerts.lag import GroupLag
from bus.commit import Commit, OffsetCommit, TransactionCommit
from bus.dlq import read_dlq
from bus.kafka import make_consumer, make_producer, read_to_end
from bus.records import Failure
from bus.stage import Batch, Offsets, Policies, Policy
from bus.topics import topic
from bus.worker import Backoff, run_worker
from config.settings import get_settings
from schemas import EnrichedMention
from tests.factories import enriched_mention
from tests.pipeline.test_faults import send_enriched
from tests.pipeline.workers import eventually, new_group

pytestmark = pytest.mark.integration

FAST = Backoff(first=0.05, factor=2.0, ceiling=0.5)
DEFAULTS = Policies()


@dataclass
class KeyStage:
    """Takes each record's key. Its process step fails on a batch holding `poison`, its produce
    step raises `produce_errors` one by one; it stops the loop once `until` is committed."""

    until: set[bytes]
    stop: threading.Event = field(default_factory=threading.Event)
    poison: bytes | None = None
    produce_errors: list[Exception] = field(default_factory=list)
    send: Callable[[bytes], Any] | None = None
    name: str = "loop-test"
    holds_back: bool = False
    policies: Policies = DEFAULTS
    produced: list[bytes] = field(default_factory=list)
    settled: list[bool] = field(default_factory=list)
    committed: list[bytes] = field(default_factory=list)

    def validate(self, record: Any) -> bytes:
        EnrichedMention.model_validate_json(record.value)
        return bytes(record.key)

    def process(self, batch: Batch[bytes]) -> list[bytes]:
        keys = [key for _, key in batch.items]
        if self.poison in keys:
            raise RuntimeError("this batch breaks the stage")
        return keys

    def produce(self, output: list[bytes]) -> list[Failure]:
        if self.produce_errors:
            raise self.produce_errors.pop()
        for key in output:
            if self.send is not None:
                self.send(key)
        self.produced += output
        return []

    def settle(self, output: list[bytes], committed: bool) -> None:
        self.settled.append(committed)
        if committed:
            self.committed += output
            if self.until <= set(self.committed):
                self.stop.set()


def _run(stage: KeyStage, consumer: KafkaConsumer, commit: Commit) -> int:
    guard = threading.Timer(300, stage.stop.set)  # bounds only a test that fails
    guard.start()
    try:
        return run_worker(
            stage=stage,
            consumer=consumer,
            commit=commit,
            stop=stage.stop,
            batch_size=50,
            backoff=FAST,
        )
    finally:
        guard.cancel()


def _keys(mentions: list[EnrichedMention]) -> list[bytes]:
    return [m.id.encode() for m in mentions]


def _lag(group: str) -> int:
    lag = GroupLag("enriched")
    try:
        return lag.of(group)
    finally:
        lag.close()


@pytest.fixture
def plain(topics: None) -> Iterator[tuple[str, KafkaConsumer, OffsetCommit]]:
    group = new_group("enriched")
    consumer = make_consumer(group, "enriched", max_poll_records=50)
    producer = make_producer()
    yield group, consumer, OffsetCommit(consumer, producer)
    consumer.close()
    producer.close()


def test_a_poll_that_fails_is_waited_out_and_nothing_is_lost(
    plain: tuple[str, KafkaConsumer, OffsetCommit],
) -> None:
    group, consumer, commit = plain
    mentions = [enriched_mention(f"Sondage {n}") for n in range(5)]
    send_enriched(mentions)
    # What kafka-python raised from poll when a metadata refresh met the broker's closed port.
    failures = [KafkaConnectionError("111 ECONNREFUSED")] * 2
    real_poll = consumer.poll

    def poll(**options: Any) -> Any:
        if failures:
            raise failures.pop()
        return real_poll(**options)

    consumer.poll = poll
    stage = KeyStage(until=set(_keys(mentions)))
    committed = _run(stage, consumer, commit)
    assert failures == []
    assert sorted(stage.committed) == sorted(_keys(mentions))
    assert committed == len(mentions)
    assert _lag(group) == 0


def test_a_batch_the_stage_cannot_process_is_dead_lettered_and_the_loop_goes_on(
    plain: tuple[str, KafkaConsumer, OffsetCommit],
) -> None:
    group, consumer, commit = plain
    first = [enriched_mention(f"Lot refusé {n}") for n in range(3)]
    later = [enriched_mention(f"Lot suivant {n}") for n in range(2)]
    poison = first[0].id.encode()
    stage = KeyStage(until=set(_keys(later)), poison=poison)
    went_through: list[int] = []
    worker = threading.Thread(
        target=lambda: went_through.append(_run(stage, consumer, commit)), daemon=True
    )
    send_enriched(first)
    worker.start()
    try:
        eventually(lambda: poison in _dead_letters(first), 300, "the batch dead-lettered")
        send_enriched(later)  # only once the first batch is out of the way
    finally:
        worker.join(timeout=300)
    assert went_through == [len(first) + len(later)]
    letters = _dead_letters(first)
    assert letters[poison].error == "process failed: RuntimeError: this batch breaks the stage"
    assert letters[poison].stage == "loop-test"
    # Each of the first records is dead-lettered with the poison's batch, or went through.
    assert set(letters) | set(stage.committed) >= set(_keys(first))
    assert not set(letters) & set(stage.committed)
    assert set(_keys(later)) <= set(stage.committed)
    assert _lag(group) == 0


def test_with_the_stop_policy_a_process_error_ends_the_loop_and_nothing_is_committed(
    plain: tuple[str, KafkaConsumer, OffsetCommit],
) -> None:
    group, consumer, commit = plain
    mentions = [enriched_mention("Lot arrêté")]
    send_enriched(mentions)
    poison, stop_on_process = _keys(mentions)[0], Policies(process=Policy.STOP)
    stage = KeyStage(until=set(_keys(mentions)), poison=poison, policies=stop_on_process)
    with pytest.raises(RuntimeError, match="this batch breaks the stage"):
        _run(stage, consumer, commit)
    assert _lag(group) == 1
    assert _dead_letters(mentions) == {}


def test_a_produce_error_is_retried_by_default_and_the_batch_committed_once(
    plain: tuple[str, KafkaConsumer, OffsetCommit],
) -> None:
    group, consumer, commit = plain
    mentions = [enriched_mention(f"Écriture refusée {n}") for n in range(3)]
    send_enriched(mentions)
    stage = KeyStage(until=set(_keys(mentions)), produce_errors=[ValueError("store said no")])
    assert _run(stage, consumer, commit) == len(mentions)
    assert stage.produce_errors == []
    assert stage.settled[0] is False  # the failed attempt, undone
    assert sorted(stage.committed) == sorted(_keys(mentions))
    assert _dead_letters(mentions) == {}
    assert _lag(group) == 0


@dataclass
class FailsFirst:
    """A transaction commit whose first commit fails as a broker's would, before anything is
    committed: the transaction is aborted and the batch redone."""

    inner: TransactionCommit
    failures: list[KafkaError] = field(default_factory=lambda: [KafkaError("injected")])

    @property
    def producer(self) -> KafkaProducer:
        return self.inner.producer

    def begin(self) -> None:
        self.inner.begin()

    def commit(self, offsets: Offsets | None) -> bool:
        if self.failures:
            raise self.failures.pop()
        return self.inner.commit(offsets)

    def abort(self) -> None:
        self.inner.abort()


@pytest.fixture
def out_topic(topics: None) -> Iterator[str]:
    name = f"test-loop-out-{uuid.uuid4().hex[:8]}"
    admin = KafkaAdminClient(bootstrap_servers=get_settings().kafka_bootstrap)
    admin.create_topics([NewTopic(name, 1, 1)], wait_for_metadata=True)
    yield name
    admin.delete_topics([name])
    admin.close()


def test_a_transaction_commit_writes_output_dead_letters_and_offsets_together(
    out_topic: str,
) -> None:
    group = new_group("enriched")
    mentions = [enriched_mention(f"Transaction {n}") for n in range(3)]
    bad_key = f"bad-{uuid.uuid4().hex}".encode()
    sent = make_producer()  # one partition, in this order: the first batch has an output
    for key, value in [
        *((m.id.encode(), m.model_dump_json().encode()) for m in mentions),
        (bad_key, b"not json"),
    ]:
        sent.send(topic("enriched"), key=key, value=value, partition=0).get(timeout=30)
    sent.close()
    consumer = make_consumer(group, "enriched", max_poll_records=50)
    producer = make_producer(transactional_id=f"test-loop-{uuid.uuid4().hex[:8]}")
    producer.init_transactions()
    stage = KeyStage(
        until=set(_keys(mentions)), send=lambda key: producer.send(out_topic, key=key, value=key)
    )
    commit = FailsFirst(TransactionCommit(consumer, producer))
    try:
        assert _run(stage, consumer, commit) == len(mentions) + 1
    finally:
        consumer.close()
        producer.close()
    assert commit.failures == []
    assert stage.settled[0] is False
    committed = [r.key for r in read_to_end(out_topic, committed_only=True)]
    written = [r.key for r in read_to_end(out_topic, committed_only=False)]
    assert sorted(committed) == sorted(_keys(mentions))  # once each, the aborted copy unseen
    assert sorted(written) == sorted(stage.produced)  # the aborted attempt's output too
    assert len(written) > len(committed)
    letters = [
        r for r in read_to_end(topic("dlq"), committed_only=True) if r.key == bad_key
    ]  # the aborted attempt's dead letter is not among the committed ones
    assert len(letters) == 1
    assert dict(letters[0].headers)["murmure.stage"] == b"loop-test"
    assert _lag(group) == 0


def _dead_letters(mentions: list[EnrichedMention]) -> dict[bytes, Any]:
    wanted = set(_keys(mentions))
    return {
        letter.key: letter
        for letter in read_dlq()
        if letter.key is not None and letter.key in wanted
    }
