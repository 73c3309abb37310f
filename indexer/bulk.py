"""Bulk writes that tell apart what to retry from what will never be accepted."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from elasticsearch import Elasticsearch

from indexer.client import RETRYABLE_STATUSES


@dataclass
class BulkOutcome:
    written: list[int] = field(default_factory=list)
    retry: list[int] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True)
class IndexAction:
    index: str
    doc_id: str
    document: dict[str, Any]


def bulk_index(es: Elasticsearch, actions: Sequence[IndexAction]) -> BulkOutcome:
    """One `_bulk` call; positions in the outcome refer to `actions`.

    Connection errors propagate: the caller retries the whole batch without committing.
    """
    operations: list[dict[str, Any]] = []
    for action in actions:
        operations.append({"index": {"_index": action.index, "_id": action.doc_id}})
        operations.append(action.document)
    response = es.bulk(operations=operations)
    outcome = BulkOutcome()
    for position, item in enumerate(response["items"]):
        result = item["index"]
        status = int(result.get("status", 500))
        if status < 300:
            outcome.written.append(position)
        elif status in RETRYABLE_STATUSES:
            outcome.retry.append(position)
        else:
            error = result.get("error", {})
            reason = error.get("reason", str(error)) if isinstance(error, dict) else str(error)
            outcome.rejected.append((position, f"{status}: {reason}"))
    return outcome
