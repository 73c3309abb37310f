"""Bulk writes that tell apart what to retry from what will never be accepted."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from elasticsearch import Elasticsearch, helpers

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


def stale_copies(
    es: Elasticsearch, alias: str, homes: Mapping[str, str], *, refresh: bool
) -> list[tuple[str, str]]:
    """(index, id) of the documents of these ids outside the index each now belongs in (`homes`:
    id → index), left there when a mention's date changed. `refresh` first when one of them may
    have been written too recently to be searchable."""
    if not homes or not es.indices.exists_alias(name=alias):
        return []
    if refresh:
        es.indices.refresh(index=alias)
    query = {"ids": {"values": list(homes)}}
    # Usually one hit per id; more (copies) are read by scrolling.
    response = es.search(index=alias, query=query, size=len(homes), source=False)
    hits = response["hits"]["hits"]
    if response["hits"]["total"]["value"] > len(hits):
        body = {"query": query}
        hits = list(helpers.scan(es, query=body, index=alias, _source=False, size=len(homes)))
    return [
        (str(hit["_index"]), str(hit["_id"]))
        for hit in hits
        if hit["_index"] != homes[str(hit["_id"])]
    ]


def delete_documents(es: Elasticsearch, documents: Sequence[tuple[str, str]]) -> list[str]:
    """Deletes (index, id) pairs in one `_bulk`; returns what could not be deleted, and why.
    A document already gone is not a failure."""
    if not documents:
        return []
    operations = [{"delete": {"_index": index, "_id": doc_id}} for index, doc_id in documents]
    failed = []
    for item in es.bulk(operations=operations)["items"]:
        result = item["delete"]
        status = int(result.get("status", 500))
        if status >= 300 and status != 404:
            failed.append(f"{result.get('_index')}/{result.get('_id')}: {status}")
    return failed
