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
from collections.abc import Callable, Sequence
from typing import Any

from kafka import KafkaConsumer, KafkaProducer
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata, TopicPartition

from alerts.engine import Engine
from alerts.facts import Facts
from alerts.lag import behind
from alerts.metrics import LATE, NOTICES, WAITING
from alerts.reorder import Reorderer
from alerts.store import read_table
from bus.dlq import send_to_dlq
from bus.metrics import DEAD_LETTERS
from bus.records import Failure, TransientError, describe_error
from bus.topics import topic
from bus.worker import Handler
from schemas import EnrichedMention

STAGE = "alerts"
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


def make_handler(
    engine: Engine,
    consumer: KafkaConsumer,
    producer: KafkaProducer,
    namespace: str,
    reorderer: Reorderer,
    upstream_busy: Callable[[], bool] = _no_upstream,
) -> Handler:
    """`producer` is transactional (its `init_transactions` already called). Called with no
    records too (when a poll brings nothing), so waiting mentions go out once nothing older
    can come. `upstream_busy` tells whether the stage before still has mentions to pass on."""
    committed: dict[TopicPartition, int] = {}

    def busy_partitions(assigned: set[TopicPartition]) -> set[TopicPartition]:
        if not reorderer:
            return set()
        waiting = behind(consumer, assigned)
        if len(waiting) < len(assigned):
            # Caught up with Kafka but more on its way: all wait. Done: look again, for what the
            # stage before passed on just before saying so.
            waiting = assigned if upstream_busy() else behind(consumer, assigned)
        return {tp for tp in waiting if not reorderer.silent(tp)}

    def handle(records: Sequence[Any]) -> list[Failure]:
        assigned = set(consumer.assignment())
        reorderer.watch(assigned | {TopicPartition(r.topic, r.partition) for r in records})
        committed_before = dict(committed)
        for tp in list(committed):
            if tp not in assigned:
                del committed[tp]
        failures: list[Failure] = []
        for record in records:
            facts: Facts | None = None
            try:
                facts = Facts.of(EnrichedMention.model_validate_json(record.value))
            except Exception as error:  # whatever one record does, it stops no worker
                failures.append(Failure(record, describe_error(error)))
            reorderer.add(TopicPartition(record.topic, record.partition), record.offset, facts)
        released = reorderer.release(busy_partitions(assigned))
        offsets = {
            tp: offset
            for tp, offset in reorderer.committable().items()
            if tp in assigned and committed.get(tp) != offset
        }
        WAITING.set(len(reorderer))
        if not released and not failures and not offsets:
            return []
        before = engine.dump()
        late = engine.late
        notices = [notice for item in released for notice in engine.process(item.facts)]
        changed = engine.dump(engine.take_dirty())
        try:
            producer.begin_transaction()
            for notice in notices:
                producer.send(
                    topic("alerts"), key=notice.id.encode(), value=notice.model_dump_json().encode()
                )
            for key, value in changed.items():
                producer.send(
                    topic("alerts_state"),
                    key=f"{namespace}/{key}".encode(),
                    value=value.encode() if value is not None else None,
                )
            if failures:
                send_to_dlq(producer, STAGE, failures)
            producer.send_offsets_to_transaction(
                {tp: OffsetAndMetadata(offset, "", -1) for tp, offset in offsets.items()},
                consumer.group_metadata(),
            )
            producer.commit_transaction()
        except KafkaError as error:
            engine.load({key: value for key, value in before.items() if value is not None})
            engine.late = late
            reorderer.put_back(released)
            committed.clear()
            committed.update(committed_before)
            try:
                producer.abort_transaction()
            except KafkaError as abort_error:
                log.warning("transaction abort failed: %s", abort_error)
            raise TransientError(f"alerts batch not committed: {error}") from error
        committed.update(offsets)
        LATE.inc(engine.late - late)
        DEAD_LETTERS.labels(STAGE).inc(len(failures))
        for notice in notices:
            NOTICES.labels(notice.rule_id, notice.status).inc()
            log.info(
                "alert %s %s (%s, %d mention(s))",
                notice.status,
                notice.id,
                notice.severity,
                notice.count,
            )
        return []  # dead letters went out inside the transaction

    return handle
