"""The erasure queue: requests wait in `murmure-erasure-requests` for the daily retention run.

A request stores only what `forget` needs: a pseudonym (never a handle in clear, except the
library's own accounts) or a mention id. Its id is `kind:value`, so asking twice is one request.
Processing marks it `done` with what was deleted; a request that fails stays `pending`, is
reported, and does not stop the others.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from elasticsearch import ApiError, Elasticsearch, helpers

from config.profile import Profile
from indexer.layout import layout
from retention.erasure import ErasureReport, ErasureTarget, SummaryRewriter, forget

log = logging.getLogger(__name__)

MAPPINGS: dict[str, Any] = {
    "dynamic": False,
    "properties": {
        "kind": {"type": "keyword"},
        "value": {"type": "keyword"},
        "status": {"type": "keyword"},
        "requested_at": {"type": "date"},
        "done_at": {"type": "date"},
        "report": {"type": "object", "enabled": False},
    },
}


def _index(es: Elasticsearch) -> str:
    name = layout().erasure_requests
    if not es.indices.exists(index=name):
        try:
            es.indices.create(index=name, mappings=MAPPINGS)
        except ApiError as error:
            if "resource_already_exists" not in str(error):
                raise
    return name


def request_erasure(es: Elasticsearch, target: ErasureTarget, *, now: datetime) -> str:
    request_id = f"{target.kind}:{target.value}"
    es.index(
        index=_index(es),
        id=request_id,
        document={
            "kind": target.kind,
            "value": target.value,
            "status": "pending",
            "requested_at": now.isoformat(),
        },
        refresh="wait_for",
    )
    return request_id


def pending_requests(es: Elasticsearch) -> list[tuple[str, ErasureTarget]]:
    query = {"query": {"term": {"status": "pending"}}}
    return sorted(
        (
            (str(hit["_id"]), ErasureTarget(hit["_source"]["kind"], hit["_source"]["value"]))
            for hit in helpers.scan(es, index=_index(es), query=query)
        ),
        key=lambda pair: pair[0],
    )


@dataclass
class ErasureRun:
    done: list[ErasureReport] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # request id → why it stays pending


def process_requests(
    es: Elasticsearch,
    profile: Profile,
    *,
    rewrite_summaries: SummaryRewriter,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> ErasureRun:
    run = ErasureRun()
    for request_id, target in pending_requests(es):
        try:
            report = forget(es, target, profile=profile, rewrite_summaries=rewrite_summaries)
            es.update(
                index=_index(es),
                id=request_id,
                doc={"status": "done", "done_at": now().isoformat(), "report": report.as_dict()},
                refresh="wait_for",
            )
        except Exception as error:  # one request's trouble must not hold back the others
            run.failed[request_id] = f"{type(error).__name__}: {error}"
            log.error("erasure request %s stays pending: %s", request_id, run.failed[request_id])
            continue
        log.info("erasure request %s done: %s", request_id, dict(report.documents_deleted))
        run.done.append(report)
    return run
