"""`murmure index`: enriched mentions from Kafka into Elasticsearch, one document per mention id."""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from elasticsearch import ApiError, Elasticsearch
from elasticsearch import ConnectionError as EsConnectionError
from elasticsearch import ConnectionTimeout as EsConnectionTimeout
from pydantic import ValidationError

from bus.metrics import LATENCY
from bus.records import Failure, TransientError, describe_error
from bus.worker import Handler
from indexer.bulk import IndexAction, bulk_index
from indexer.document import to_document
from indexer.layout import layout
from schemas import EnrichedMention

STAGE = "index"


def make_handler(es: Elasticsearch) -> Handler:
    mentions_layout = layout().mentions

    def handle(records: Sequence[Any]) -> list[Failure]:
        failures: list[Failure] = []
        actions: list[IndexAction] = []
        origins: list[Any] = []
        fetched: list[datetime] = []
        now = datetime.now(UTC)
        for record in records:
            try:
                mention = EnrichedMention.model_validate_json(record.value)
            except ValidationError as error:
                failures.append(Failure(record, describe_error(error)))
                continue
            actions.append(
                IndexAction(
                    index=mentions_layout.index_for(mention.created_at),
                    doc_id=mention.id,
                    document=to_document(mention, indexed_at=now),
                )
            )
            origins.append(record)
            fetched.append(mention.fetched_at)
        if not actions:
            return failures
        try:
            outcome = bulk_index(es, actions)
        except (EsConnectionError, EsConnectionTimeout) as error:
            raise TransientError(f"Elasticsearch unreachable: {error}") from error
        except ApiError as error:
            if error.status_code in {429, 500, 502, 503, 504}:
                raise TransientError(f"Elasticsearch busy: {error}") from error
            raise
        if outcome.retry:
            # Overloaded for some items: rewrite the whole batch later (writes are idempotent).
            raise TransientError(f"{len(outcome.retry)} item(s) refused for now by Elasticsearch")
        failures.extend(
            Failure(origins[pos], f"rejected by Elasticsearch: {why}")
            for pos, why in outcome.rejected
        )
        done = datetime.now(UTC)
        for position in outcome.written:
            LATENCY.labels(STAGE).observe((done - fetched[position]).total_seconds())
        return failures

    return handle
