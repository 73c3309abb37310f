"""`murmure index`: enriched mentions from Kafka into Elasticsearch, one document per mention id.

A mention lives in the index of its post's month. When its date moves to another month (an
edited post, a corrected clock), the copy left in the old month is deleted once the new one is
written: whatever its dates, an id is one document, which updates and erasure by id find. The
batch's ids are looked up with a search, after a refresh when one of them may have been written
too recently to be found: by this worker within `recent_writes_s`, or by another before this
worker's partitions changed. Once a batch is written, its questions, complaints and the library's
replies are linked to their answers (`indexer.answers`)."""

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from elasticsearch import Elasticsearch
from kafka import KafkaConsumer

from bus.metrics import LATENCY
from bus.records import Failure, TransientError
from bus.stage import DEFAULT_POLICIES, Batch, Policies
from indexer.answers import link_answers
from indexer.bulk import IndexAction, bulk_index, delete_documents, stale_copies
from indexer.client import retry_when_unavailable
from indexer.document import to_document
from indexer.layout import MentionsLayout, layout
from schemas import EnrichedMention

STAGE = "index"


@dataclass
class Actions:
    """A batch's mentions (the last version of each id) and their index actions, in order."""

    parsed: list[tuple[Any, EnrichedMention]]
    actions: list[IndexAction]


@dataclass
class IndexStage:
    es: Elasticsearch
    consumer: KafkaConsumer
    name: str = STAGE
    holds_back: bool = False
    policies: Policies = DEFAULT_POLICIES
    layout: MentionsLayout = field(default_factory=lambda: layout().mentions)
    written_at: dict[str, float] = field(default_factory=dict)  # id → when written, oldest first
    partitions: set[Any] = field(default_factory=set)

    def validate(self, record: Any) -> EnrichedMention:
        return EnrichedMention.model_validate_json(record.value)

    def process(self, batch: Batch[EnrichedMention]) -> Actions:
        now = datetime.now(UTC)
        # Several versions of a mention in one batch: the last one (in partition order) wins.
        parsed = list({mention.id: (record, mention) for record, mention in batch.items}.values())
        actions = [
            IndexAction(
                index=self.layout.index_for(mention.created_at),
                doc_id=mention.id,
                document=to_document(mention, indexed_at=now),
            )
            for _, mention in parsed
        ]
        return Actions(parsed, actions)

    def produce(self, output: Actions) -> list[Failure]:
        parsed, actions = output.parsed, output.actions
        if not actions:
            return []
        homes = {action.doc_id: action.index for action in actions}
        with retry_when_unavailable():
            refresh = self._unsearchable(set(homes))
            stale = stale_copies(self.es, self.layout.alias, homes, refresh=refresh)
            outcome = bulk_index(self.es, actions)
            if outcome.retry:
                # Overloaded for some items: rewrite the whole batch later (idempotent writes).
                raise TransientError(
                    f"{len(outcome.retry)} item(s) refused for now by Elasticsearch"
                )
            written = {actions[position].doc_id for position in outcome.written}
            for mention_id in written:  # moved to the end: the dict stays oldest first
                self.written_at.pop(mention_id, None)
                self.written_at[mention_id] = time.monotonic()
            left = delete_documents(self.es, [copy for copy in stale if copy[1] in written])
            if not left:
                link_answers(
                    self.es, self.layout.alias, [parsed[pos][1] for pos in outcome.written]
                )
        if left:
            # The batch is redone: its new versions are rewritten as they are, the copies retried.
            raise TransientError(f"old copies not deleted yet: {', '.join(left)}")
        done = datetime.now(UTC)
        for position in outcome.written:
            fetched_at = parsed[position][1].fetched_at
            LATENCY.labels(STAGE).observe((done - fetched_at).total_seconds())
        return [
            Failure(parsed[pos][0], f"rejected by Elasticsearch: {why}")
            for pos, why in outcome.rejected
        ]

    def settle(self, output: Actions, committed: bool) -> None:
        pass

    def _unsearchable(self, ids: set[str]) -> bool:
        """Whether one of `ids` may have been written too recently for a search to find it."""
        now = time.monotonic()
        written_at = self.written_at
        while written_at and now - next(iter(written_at.values())) > self.layout.recent_writes_s:
            del written_at[next(iter(written_at))]
        assigned = set(self.consumer.assignment())
        moved = assigned != self.partitions  # at start, or after a rebalance: others wrote too
        self.partitions = assigned
        return moved or not ids.isdisjoint(written_at)
