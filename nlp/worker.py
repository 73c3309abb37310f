"""`murmure enrich`: raw mentions from Kafka through the NLP stage, back to Kafka enriched."""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from kafka import KafkaProducer

from bus.records import Failure, describe_error, parse_records
from bus.topics import topic
from bus.worker import Handler
from nlp.stage import Stage
from schemas import Analysis, EnrichedMention, RawMention

STAGE = "enrich"


def _analyse_isolating(stage: Stage, texts: list[str]) -> list[Analysis | Exception]:
    """Batches for speed; if a batch fails, text by text, so one bad post fails alone."""
    try:
        return list(stage.analyse(texts))
    except Exception:
        results: list[Analysis | Exception] = []
        for text in texts:
            try:
                results.append(stage.analyse_one(text))
            except Exception as error:
                results.append(error)
        return results


def make_handler(stage: Stage, producer: KafkaProducer) -> Handler:
    def handle(records: Sequence[Any]) -> list[Failure]:
        accepted, failures = parse_records(RawMention, records)
        analyses = _analyse_isolating(stage, [raw.text for _, raw in accepted])
        now = datetime.now(UTC)
        futures = []
        for (record, raw), analysis in zip(accepted, analyses, strict=True):
            if isinstance(analysis, Exception):
                failures.append(Failure(record, f"NLP failed: {describe_error(analysis)}"))
                continue
            enriched = EnrichedMention.from_raw(
                raw, analysis, pipeline_version=stage.version, processed_at=now
            )
            futures.append(
                producer.send(
                    topic("enriched"),
                    key=enriched.id.encode(),
                    value=enriched.model_dump_json().encode(),
                )
            )
        producer.flush()
        for future in futures:
            future.get(timeout=30)  # a KafkaError here retries the whole batch, uncommitted
        return failures

    return handle
