"""Search-then-bulk-delete by id: the portable replacement for `_delete_by_query` (retention
and staff labels delete with it)."""

from collections import Counter
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

from elasticsearch import Elasticsearch, helpers
from pydantic import BaseModel, ConfigDict, Field

from config.packaged import packaged_settings


class DeletionSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    scan_size: int = Field(ge=1)
    bulk_size: int = Field(ge=1)


@lru_cache(maxsize=1)
def deletion_settings() -> DeletionSettings:
    return packaged_settings(DeletionSettings, "indexer", "deletion.yml")


def matching(es: Elasticsearch, index: str, query: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(index, id) of every document matching `query` (scroll, ids only)."""
    for hit in helpers.scan(
        es,
        index=index,
        query={"query": query},
        _source=False,
        size=deletion_settings().scan_size,
        ignore_unavailable=True,
    ):
        yield str(hit["_index"]), str(hit["_id"])


def delete_ids(es: Elasticsearch, documents: Iterable[tuple[str, str]]) -> Counter[str]:
    """Deletes the given documents; counts what was deleted per concrete index.

    Collects first, then deletes: deleting while scrolling is safe in ES, but a list keeps the
    report exact. A document already gone (404) is not counted and is not an error.
    """
    targets = list(documents)
    deleted: Counter[str] = Counter()
    if not targets:
        return deleted
    actions = ({"_op_type": "delete", "_index": index, "_id": doc_id} for index, doc_id in targets)
    for ok, item in helpers.streaming_bulk(
        es,
        actions,
        chunk_size=deletion_settings().bulk_size,
        raise_on_error=False,
        raise_on_exception=True,
    ):
        result = item["delete"]
        if ok and result.get("result") == "deleted":
            deleted[str(result["_index"])] += 1
        elif int(result.get("status", 500)) != 404:
            raise RuntimeError(f"could not delete {result.get('_id')}: {result.get('error')}")
    es.indices.refresh(index=",".join(sorted({index for index, _ in targets})))
    return deleted


def delete_matching(es: Elasticsearch, index: str, query: dict[str, Any]) -> Counter[str]:
    return delete_ids(es, matching(es, index, query))
