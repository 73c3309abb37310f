"""`murmure enrich`: raw mentions from Kafka through the NLP stage, back to Kafka enriched.

A batch goes through in chunks: while the NLP processes tag one chunk, this process polls and
validates the next and sends the previous, so the stage's cores seldom wait for Kafka."""

from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kafka import KafkaProducer
from kafka.producer.future import FutureRecordMetadata

from bus.records import Failure
from bus.stage import Batch, Policies, Policy
from bus.topics import topic
from nlp.pool import Failed, NlpPool, Tagged
from nlp.rating import with_rating
from schemas import Analysis, EnrichedMention, RawMention

STAGE = "enrich"
# Whatever one text does fails that text alone (`nlp.pool`); the process step failing otherwise
# means the NLP processes are gone: stop, and a restart redoes the batch with new ones.
POLICIES = Policies(process=Policy.STOP)

Chunk = list[tuple[Any, RawMention]]


@dataclass
class Sent:
    """A batch's enriched mentions on their way to Kafka, and the texts the NLP failed."""

    futures: list[FutureRecordMetadata]
    failures: list[Failure]


@dataclass
class EnrichStage:
    """`process` extends the batch while the NLP works, up to `batch_size` records; every one
    is produced and acknowledged before the batch is committed."""

    pool: NlpPool
    producer: KafkaProducer
    chunk_size: int
    batch_size: int
    name: str = STAGE
    holds_back: bool = False
    policies: Policies = POLICIES

    def validate(self, record: Any) -> RawMention:
        # A fetch from the future is refused: compared with when the mention is received.
        received = {"received_at": datetime.now(UTC)}
        return RawMention.model_validate_json(record.value, context=received)

    def process(self, batch: Batch[RawMention]) -> Sent:
        sent = Sent([], [])
        position = 0
        in_flight: deque[tuple[Chunk, Future[Tagged]]] = deque()
        while True:
            if len(batch.items) - position < self.chunk_size and len(batch.records) < (
                self.batch_size
            ):
                batch.more(min(self.chunk_size, self.batch_size - len(batch.records)))
            chunk = batch.items[position : position + self.chunk_size]
            position += len(chunk)
            if not chunk and not in_flight:
                return sent
            if chunk:
                in_flight.append((chunk, self.pool.tag([raw.text for _, raw in chunk])))
                if len(in_flight) <= self.pool.processes:
                    continue  # another chunk to queue, so no NLP process waits
            done, future = in_flight.popleft()
            self._send(done, future.result(), sent)

    def produce(self, output: Sent) -> list[Failure]:
        self.producer.flush()
        for future in output.futures:
            future.get(timeout=30)  # a KafkaError here retries the whole batch, uncommitted
        return output.failures

    def settle(self, output: Sent, committed: bool) -> None:
        pass

    def _send(self, chunk: Chunk, tagged: Tagged, sent: Sent) -> None:
        now = datetime.now(UTC)
        for (record, raw), result in zip(chunk, tagged, strict=True):
            if isinstance(result, Failed):
                sent.failures.append(Failure(record, f"NLP failed: {result.reason}"))
                continue
            enriched = EnrichedMention.from_raw(
                raw,
                with_rating(Analysis.model_validate_json(result), raw.rating),
                pipeline_version=self.pool.version,
                processed_at=now,
            )
            sent.futures.append(
                self.producer.send(
                    topic("enriched"),
                    key=enriched.id.encode(),
                    value=enriched.model_dump_json().encode(),
                )
            )
