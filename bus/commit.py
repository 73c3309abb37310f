"""How the worker loop makes a batch durable: plain offsets after the output, or one Kafka
transaction for the output, the dead letters and the offsets."""

import logging
from dataclasses import dataclass
from typing import Protocol

from kafka import KafkaConsumer, KafkaProducer
from kafka.errors import CommitFailedError, KafkaError
from kafka.structs import OffsetAndMetadata, TopicPartition

from bus.stage import Offsets

log = logging.getLogger(__name__)


class Commit(Protocol):
    """How a batch's dead letters (sent with `producer`) and offsets are made durable, with its
    output or after it."""

    @property
    def producer(self) -> KafkaProducer: ...

    def begin(self) -> None: ...

    def commit(self, offsets: Offsets | None) -> bool:
        """Offsets None: all that was consumed. False: the partitions moved to another worker,
        which redoes the batch."""

    def abort(self) -> None: ...


@dataclass
class OffsetCommit:
    """Plain offsets, committed once the output and the dead letters are acknowledged."""

    consumer: KafkaConsumer
    producer: KafkaProducer  # for the dead letters

    def begin(self) -> None:
        pass

    def commit(self, offsets: Offsets | None) -> bool:
        try:
            self.consumer.commit(None if offsets is None else _metadata(offsets))
        except (CommitFailedError, KafkaError) as error:
            # A rebalance took the partitions away: their new owner redoes the batch.
            log.warning("commit failed (%s): the batch will be redone", error)
            return False
        return True

    def abort(self) -> None:
        pass


@dataclass
class TransactionCommit:
    """The output, the dead letters and the offsets in one Kafka transaction: after a crash,
    either all of them are there or none. `producer` is transactional, its
    `init_transactions` already called, and the stage produces with it."""

    consumer: KafkaConsumer
    producer: KafkaProducer

    def begin(self) -> None:
        self.producer.begin_transaction()

    def commit(self, offsets: Offsets | None) -> bool:
        if offsets is None:
            offsets = {tp: self.consumer.position(tp) for tp in self.consumer.assignment()}
        self.producer.send_offsets_to_transaction(
            _metadata(offsets), self.consumer.group_metadata()
        )
        self.producer.commit_transaction()
        return True

    def abort(self) -> None:
        try:
            self.producer.abort_transaction()
        except KafkaError as error:
            log.warning("transaction abort failed: %s", error)


def _metadata(offsets: Offsets) -> dict[TopicPartition, OffsetAndMetadata]:
    return {tp: OffsetAndMetadata(offset, "", -1) for tp, offset in offsets.items()}
