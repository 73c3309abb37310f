"""What Kafka says about a backlog: which partitions still have records for the alerts worker,
whether the stage before it (the NLP stage on `mentions.raw`) is still busy, and how far a
consumer group is behind (for `murmure demo`, which waits for the alerts to catch up)."""

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.admin import OffsetSpec
from kafka.errors import RetriableError

from bus.topics import TopicKey, topic
from bus.worker import Backoff
from config.settings import get_settings

T = TypeVar("T")
COORDINATOR_WAIT = Backoff()


def with_coordinator(
    call: Callable[[], T], *, tries: int = 12, backoff: Backoff = COORDINATOR_WAIT
) -> T:
    """Group admin calls need the group coordinator, which a freshly started broker creates a
    few seconds late (and moves on a restart): its retriable errors are worth waiting out."""
    delays = backoff.delays()
    for _ in range(tries - 1):
        try:
            return call()
        except RetriableError:
            time.sleep(next(delays))
    return call()


def behind(consumer: KafkaConsumer, partitions: Iterable[TopicPartition]) -> set[TopicPartition]:
    """The partitions on which Kafka holds records this consumer has not received yet."""
    wanted = list(partitions)
    if not wanted:
        return set()
    ends = consumer.end_offsets(wanted)
    return {tp for tp in wanted if consumer.position(tp) < ends[tp]}


def _plain_consumer() -> KafkaConsumer:
    return KafkaConsumer(
        bootstrap_servers=get_settings().kafka_bootstrap,
        enable_auto_commit=False,
        isolation_level="read_committed",
    )


@dataclass
class GroupLag:
    """How many records of a topic a consumer group has not committed yet (a group that never
    committed starts at the beginning, as ours do)."""

    topic_key: TopicKey
    _admin: KafkaAdminClient = field(init=False)
    _consumer: KafkaConsumer = field(init=False)

    def __post_init__(self) -> None:
        self._admin = KafkaAdminClient(bootstrap_servers=get_settings().kafka_bootstrap)
        self._consumer = _plain_consumer()

    def partitions(self) -> list[TopicPartition]:
        name = topic(self.topic_key)
        return [TopicPartition(name, n) for n in sorted(self._consumer.partitions_for_topic(name))]

    def ends(self) -> dict[TopicPartition, int]:
        return dict(self._consumer.end_offsets(self.partitions()))

    def committed(self, group: str) -> dict[TopicPartition, int]:
        """Where `group` resumes on each partition (the beginning if it never committed)."""
        partitions = self.partitions()
        offsets = with_coordinator(lambda: self._admin.list_group_offsets({group: partitions}))
        marks: dict[Any, Any] = offsets.get(group, {})
        starts = self._consumer.beginning_offsets(partitions)
        out: dict[TopicPartition, int] = {}
        for tp in partitions:
            mark = marks.get(tp)
            out[tp] = mark.offset if mark is not None and mark.offset >= 0 else starts[tp]
        return out

    def of(self, group: str) -> int:
        ends = self.ends()
        return sum(max(ends[tp] - at, 0) for tp, at in self.committed(group).items())

    def reset_to_end(self, group: str) -> None:
        """Commits `group` (with no member running) at the current end of the topic."""
        latest = dict.fromkeys(self.partitions(), OffsetSpec.LATEST)
        with_coordinator(lambda: self._admin.reset_group_offsets(group, latest))

    def close(self) -> None:
        self._admin.close()
        self._consumer.close()


def start_at_end(group: str, topic_key: TopicKey) -> None:
    """Commits `group` at the current end of the topic, so a new group reads only what comes
    next (the demo and the tests start their own groups after other runs' mentions)."""
    lag = GroupLag(topic_key)
    try:
        lag.reset_to_end(group)
    finally:
        lag.close()
