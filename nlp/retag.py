"""`murmure nlp retag`: indexed mentions tagged again from their stored (redacted) text by the
stage as it is now, so Kibana and the next summaries reflect the active model.

Each updated document gets the stage's `pipeline_version`; a mention that already has it is
skipped, so a retag killed halfway resumes where it stopped and a second run changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any

from elasticsearch import Elasticsearch, helpers

from indexer.document import tag_fields
from indexer.queries import mentions_alias
from nlp.stage import Stage

TAGS = ("relevant", "topics", "sentiment", "complaint", "branch")

FIELDS = ["text", "pipeline_version", *TAGS]


@dataclass
class Retagged:
    seen: int = 0
    updated: int = 0
    current: int = 0  # already tagged by this version
    changed: int = 0  # updated and some tag differs


def _hits(es: Elasticsearch, alias: str, since: datetime, size: int) -> Iterator[dict[str, Any]]:
    query = {"query": {"range": {"created_at": {"gte": since.isoformat()}}}}
    yield from helpers.scan(es, index=alias, query=query, _source=FIELDS, size=size)


def count_since(es: Elasticsearch, since: datetime) -> int:
    alias = mentions_alias(es)
    if alias is None:
        return 0
    query = {"range": {"created_at": {"gte": since.isoformat()}}}
    return int(es.count(index=alias, query=query)["count"])


def retag(
    es: Elasticsearch,
    stage: Stage,
    since: datetime,
    *,
    now: datetime,
    batch_size: int = 256,
    progress: Callable[[int], None] | None = None,
) -> Retagged:
    """Re-tags every mention posted since `since` whose version is not the stage's."""
    report = Retagged()
    alias = mentions_alias(es)
    if alias is None:
        return report
    version = stage.version
    hits = _hits(es, alias, since, batch_size)
    while chunk := list(islice(hits, batch_size)):
        report.seen += len(chunk)
        stale = [hit for hit in chunk if hit["_source"].get("pipeline_version") != version]
        report.current += len(chunk) - len(stale)
        if stale:
            analyses = stage.analyse([hit["_source"]["text"] for hit in stale])
            actions = []
            for hit, analysis in zip(stale, analyses, strict=True):
                fields = tag_fields(analysis)
                old = hit["_source"]
                report.changed += any(old.get(tag) != fields[tag] for tag in TAGS)
                actions.append(
                    {
                        "_op_type": "update",
                        "_index": hit["_index"],
                        "_id": hit["_id"],
                        "doc": fields | {"pipeline_version": version, "processed_at": now},
                    }
                )
            helpers.bulk(es, actions)
            report.updated += len(stale)
        if progress:
            progress(len(chunk))
    es.indices.refresh(index=alias)
    return report
