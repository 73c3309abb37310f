"""`murmure alerts` engine side: enriched mentions → rule engine → `alerts` + `alerts.state`.

Each batch is one Kafka transaction holding the notices, the changed state and the consumed
offsets: after a crash, either all of them are there or none, so a restart resumes with the
state of the last committed batch and redoes the rest, without a missed or repeated alert.
"""

import logging
from collections.abc import Sequence
from typing import Any

from kafka import KafkaConsumer, KafkaProducer
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata, TopicPartition
from pydantic import ValidationError

from alerts.engine import Engine
from alerts.facts import Facts
from alerts.metrics import LATE, NOTICES
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


def _offsets(records: Sequence[Any]) -> dict[TopicPartition, OffsetAndMetadata]:
    ends: dict[TopicPartition, int] = {}
    for record in records:
        partition = TopicPartition(record.topic, record.partition)
        ends[partition] = max(ends.get(partition, -1), record.offset)
    return {tp: OffsetAndMetadata(offset + 1, "", -1) for tp, offset in ends.items()}


def make_handler(
    engine: Engine, consumer: KafkaConsumer, producer: KafkaProducer, namespace: str
) -> Handler:
    """`producer` is transactional (its `init_transactions` already called)."""

    def handle(records: Sequence[Any]) -> list[Failure]:
        before = engine.dump()
        failures: list[Failure] = []
        facts: list[Facts] = []
        for record in records:
            try:
                facts.append(Facts.of(EnrichedMention.model_validate_json(record.value)))
            except ValidationError as error:
                failures.append(Failure(record, describe_error(error)))
        late = engine.late
        notices = [
            notice
            for item in sorted(facts, key=lambda f: f.created_at)
            for notice in engine.process(item)
        ]
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
            producer.send_offsets_to_transaction(_offsets(records), consumer.group_metadata())
            producer.commit_transaction()
        except KafkaError as error:
            engine.load({key: value for key, value in before.items() if value is not None})
            engine.late = late
            try:
                producer.abort_transaction()
            except KafkaError as abort_error:
                log.warning("transaction abort failed: %s", abort_error)
            raise TransientError(f"alerts batch not committed: {error}") from error
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
