"""`murmure alerts` engine side: enriched mentions → reordering → rule engine → `alerts` +
`alerts.state`.

Mentions first wait in the reorderer until no partition can still bring older ones
(`alerts/reorder.py`), then go to the engine in event-time order. Each batch is one Kafka
transaction holding the notices, the changed state and the offsets of what reached the engine
(per partition, up to its oldest mention still waiting): after a crash, either all of them are
there or none, so a restart resumes with the state of the last committed batch and reads again
what had not been processed, without a missed or repeated alert.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kafka import KafkaConsumer, KafkaProducer
from kafka.structs import TopicPartition

from alerts.engine import Engine
from alerts.facts import Facts
from alerts.lag import behind
from alerts.metrics import LATE, NOTICES, WAITING
from alerts.reorder import Pending, Reorderer
from alerts.store import read_table
from bus.records import Failure
from bus.stage import Batch, Policies, Policy
from bus.topics import topic
from schemas import EnrichedMention
from schemas.alert import Alert

STAGE = "alerts"
# The rule state is one for all records: a batch the engine fails on cannot be dead-lettered
# apart from the mentions released before it. Stop; the state of the last committed batch stays.
POLICIES = Policies(process=Policy.STOP)
log = logging.getLogger(__name__)


def restore(engine: Engine, namespace: str) -> None:
    """Loads the state of the last committed batch from the compacted `alerts.state` topic.

    Keys are `namespace/key`: several libraries (or consumer groups) can share the topic."""
    prefix = f"{namespace}/"
    table = read_table("alerts_state")
    engine.load({k.removeprefix(prefix): v for k, v in table.items() if k.startswith(prefix)})
    log.info(
        "alert state restored: %d group(s), watermark %s", len(engine.groups), engine.meta.watermark
    )


def _no_upstream() -> bool:
    return False


@dataclass
class Released:
    """What one batch changes: the notices and rule state it writes, the offsets it commits,
    and what to put back if the transaction does not go through."""

    items: list[Pending]
    notices: list[Alert]
    changed: dict[str, str | None]
    offsets: dict[TopicPartition, int]
    state_before: dict[str, str | None]
    late_before: int
    committed_before: dict[TopicPartition, int]


@dataclass
class AlertsStage:
    """Committed with a `TransactionCommit` on `producer`; holds its mentions back until nothing
    older can come, so it is run on empty polls too. `upstream_busy` tells whether the stage
    before still has mentions to pass on."""

    engine: Engine
    consumer: KafkaConsumer
    producer: KafkaProducer
    namespace: str
    reorderer: Reorderer
    upstream_busy: Callable[[], bool] = _no_upstream
    name: str = STAGE
    holds_back: bool = True
    policies: Policies = POLICIES
    committed: dict[TopicPartition, int] = field(default_factory=dict)

    def validate(self, record: Any) -> Facts:
        return Facts.of(EnrichedMention.model_validate_json(record.value))

    def process(self, batch: Batch[Facts]) -> Released | None:
        assigned = set(self.consumer.assignment())
        committed_before = self._forget_unassigned(assigned)
        self._wait(batch, assigned)
        released = self.reorderer.release(self._busy(assigned))
        offsets = {
            tp: offset
            for tp, offset in self.reorderer.committable().items()
            if tp in assigned and self.committed.get(tp) != offset
        }
        WAITING.set(len(self.reorderer))
        if not released and not batch.failures and not offsets:
            return None
        batch.offsets = offsets
        before, late = self.engine.dump(), self.engine.late
        notices = [notice for item in released for notice in self.engine.process(item.facts)]
        changed = self.engine.dump(self.engine.take_dirty())
        return Released(released, notices, changed, offsets, before, late, committed_before)

    def produce(self, output: Released) -> list[Failure]:
        for notice in output.notices:
            self.producer.send(
                topic("alerts"), key=notice.id.encode(), value=notice.model_dump_json().encode()
            )
        for key, value in output.changed.items():
            self.producer.send(
                topic("alerts_state"),
                key=f"{self.namespace}/{key}".encode(),
                value=value.encode() if value is not None else None,
            )
        return []

    def settle(self, output: Released, committed: bool) -> None:
        if committed:
            self._done(output)
            return
        before = output.state_before
        self.engine.load({key: value for key, value in before.items() if value is not None})
        self.engine.late = output.late_before
        self.reorderer.put_back(output.items)
        self.committed = dict(output.committed_before)

    def _forget_unassigned(self, assigned: set[TopicPartition]) -> dict[TopicPartition, int]:
        """What was committed before, as it was; partitions taken away are forgotten."""
        before = dict(self.committed)
        self.committed = {tp: offset for tp, offset in before.items() if tp in assigned}
        return before

    def _wait(self, batch: Batch[Facts], assigned: set[TopicPartition]) -> None:
        """The batch's records join those waiting; an invalid one (dead-lettered) counts as
        consumed, its facts None."""
        records = {TopicPartition(r.topic, r.partition) for r in batch.records}
        self.reorderer.watch(assigned | records)
        facts = {id(record): item for record, item in batch.items}
        for record in batch.records:
            tp = TopicPartition(record.topic, record.partition)
            self.reorderer.add(tp, record.offset, facts.get(id(record)))

    def _busy(self, assigned: set[TopicPartition]) -> set[TopicPartition]:
        if not self.reorderer:
            return set()
        waiting = behind(self.consumer, assigned)
        if len(waiting) < len(assigned):
            # Caught up with Kafka but more on its way: all wait. Done: look again, for what the
            # stage before passed on just before saying so.
            waiting = assigned if self.upstream_busy() else behind(self.consumer, assigned)
        return {tp for tp in waiting if not self.reorderer.silent(tp)}

    def _done(self, output: Released) -> None:
        self.committed.update(output.offsets)
        LATE.inc(self.engine.late - output.late_before)
        for notice in output.notices:
            NOTICES.labels(notice.rule_id, notice.status).inc()
            log.info(
                "alert %s %s (%s, %d mention(s))",
                notice.status,
                notice.id,
                notice.severity,
                notice.count,
            )
