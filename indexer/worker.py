"""`murmure index`: enriched mentions from Kafka into Elasticsearch, one document per mention id.

A mention lives in the index of its post's month. When its date moves to another month (an
edited post, a corrected clock), the copy left in the old month is deleted once the new one is
written: whatever its dates, an id is one document, which updates and erasure by id find. The
batch's ids are looked up with a search, after a refresh when one of them may have been written
too recently to be found: by this worker within `recent_writes_s`, or by another before this
worker's partitions changed. Once a batch is written, its questions, complaints and the library's
replies are linked to their answers (`indexer.answers`)."""

import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from elasticsearch import Elasticsearch
from kafka import KafkaConsumer

from bus.metrics import LATENCY
from bus.records import Failure, TransientError, parse_records
from bus.worker import Handler
from indexer.answers import link_answers
from indexer.bulk import IndexAction, bulk_index, delete_documents, stale_copies
from indexer.client import retry_when_unavailable
from indexer.document import to_document
from indexer.layout import layout
from schemas import EnrichedMention

STAGE = "index"


def make_handler(es: Elasticsearch, consumer: KafkaConsumer) -> Handler:
    mentions_layout = layout().mentions
    written_at: dict[str, float] = {}  # id → when this worker last wrote it, oldest first
    partitions: set[Any] = set()

    def unsearchable(ids: set[str]) -> bool:
        """Whether one of `ids` may have been written too recently for a search to find it."""
        now = time.monotonic()
        while (
            written_at and now - next(iter(written_at.values())) > mentions_layout.recent_writes_s
        ):
            del written_at[next(iter(written_at))]
        assigned = set(consumer.assignment())
        moved = assigned != partitions  # at start, or after a rebalance: others wrote too
        partitions.clear()
        partitions.update(assigned)
        return moved or not ids.isdisjoint(written_at)

    def handle(records: Sequence[Any]) -> list[Failure]:
        now = datetime.now(UTC)
        parsed, failures = parse_records(EnrichedMention, records)
        # Several versions of a mention in one batch: the last one (in partition order) wins.
        parsed = list({mention.id: (record, mention) for record, mention in parsed}.values())
        actions = [
            IndexAction(
                index=mentions_layout.index_for(mention.created_at),
                doc_id=mention.id,
                document=to_document(mention, indexed_at=now),
            )
            for _, mention in parsed
        ]
        if not actions:
            return failures
        homes = {action.doc_id: action.index for action in actions}
        with retry_when_unavailable():
            refresh = unsearchable(set(homes))
            stale = stale_copies(es, mentions_layout.alias, homes, refresh=refresh)
            outcome = bulk_index(es, actions)
            if outcome.retry:
                # Overloaded for some items: rewrite the whole batch later (idempotent writes).
                raise TransientError(
                    f"{len(outcome.retry)} item(s) refused for now by Elasticsearch"
                )
            written = {actions[position].doc_id for position in outcome.written}
            for mention_id in written:  # moved to the end: the dict stays oldest first
                written_at.pop(mention_id, None)
                written_at[mention_id] = time.monotonic()
            left = delete_documents(es, [copy for copy in stale if copy[1] in written])
            if not left:
                link_answers(es, mentions_layout.alias, [parsed[pos][1] for pos in outcome.written])
        if left:
            # The batch is redone: its new versions are rewritten as they are, the copies retried.
            raise TransientError(f"old copies not deleted yet: {', '.join(left)}")
        failures.extend(
            Failure(parsed[pos][0], f"rejected by Elasticsearch: {why}")
            for pos, why in outcome.rejected
        )
        done = datetime.now(UTC)
        for position in outcome.written:
            fetched_at = parsed[position][1].fetched_at
            LATENCY.labels(STAGE).observe((done - fetched_at).total_seconds())
        return failures

    return handle
