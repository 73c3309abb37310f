"""`murmure enrich`: raw mentions from Kafka through the NLP stage, back to Kafka enriched.

A batch goes through in chunks: while the NLP processes tag one chunk, this process polls and
parses the next and produces the previous, so the stage's cores seldom wait for Kafka."""

from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from datetime import UTC, datetime
from typing import Any

from kafka import KafkaProducer
from kafka.producer.future import FutureRecordMetadata

from bus.records import Failure, parse_records
from bus.topics import topic
from bus.worker import Handler
from nlp.pool import Failed, NlpPool, Tagged
from nlp.rating import with_rating
from schemas import Analysis, EnrichedMention, RawMention

STAGE = "enrich"

Chunk = list[tuple[Any, RawMention]]


def make_handler(
    pool: NlpPool,
    producer: KafkaProducer,
    poll_more: Callable[[int], list[Any]],
    *,
    chunk_size: int,
    batch_size: int,
) -> Handler:
    """`poll_more` extends the batch while the NLP works, up to `batch_size` records; every one
    is produced and acknowledged before the handler returns and the batch is committed."""

    def produce(
        chunk: Chunk, tagged: Tagged, failures: list[Failure]
    ) -> list[FutureRecordMetadata]:
        now = datetime.now(UTC)
        sent = []
        for (record, raw), result in zip(chunk, tagged, strict=True):
            if isinstance(result, Failed):
                failures.append(Failure(record, f"NLP failed: {result.reason}"))
                continue
            enriched = EnrichedMention.from_raw(
                raw,
                with_rating(Analysis.model_validate_json(result), raw.rating),
                pipeline_version=pool.version,
                processed_at=now,
            )
            sent.append(
                producer.send(
                    topic("enriched"),
                    key=enriched.id.encode(),
                    value=enriched.model_dump_json().encode(),
                )
            )
        return sent

    def handle(records: list[Any]) -> list[Failure]:
        position = 0

        def take() -> list[Any]:
            nonlocal position
            if len(records) - position < chunk_size and len(records) < batch_size:
                # Polled records join the batch: retried, counted and committed with it.
                records.extend(poll_more(min(chunk_size, batch_size - len(records))))
            taken = records[position : position + chunk_size]
            position += len(taken)
            return taken

        failures: list[Failure] = []
        sent: list[FutureRecordMetadata] = []
        in_flight: deque[tuple[Chunk, Future[Tagged]]] = deque()
        while (taken := take()) or in_flight:
            if taken:
                received = {"received_at": datetime.now(UTC)}  # a fetch from the future is refused
                chunk, bad = parse_records(RawMention, taken, context=received)
                failures.extend(bad)
                if chunk:
                    in_flight.append((chunk, pool.tag([raw.text for _, raw in chunk])))
                if len(in_flight) <= pool.processes:
                    continue  # another chunk to queue, so no NLP process waits
            if in_flight:
                done, future = in_flight.popleft()
                sent += produce(done, future.result(), failures)
        producer.flush()
        for future_record in sent:
            future_record.get(timeout=30)  # a KafkaError here retries the whole batch, uncommitted
        return failures

    return handle
