"""Several `enrich` and `index` workers in one consumer group share the partitions; when one of
each is killed with SIGKILL, the others take its partitions over and every mention is indexed,
once, on the real Kafka and Elasticsearch."""

import signal
from collections.abc import Callable
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch
from kafka import KafkaAdminClient

from alerts.lag import with_coordinator
from bus.kafka import make_producer
from bus.topics import topic
from config.settings import get_settings
from indexer.layout import layout
from listeners.publish import publish
from tests.factories import raw_mention
from tests.pipeline.workers import eventually, indexed, new_group, start_process, stop_process

pytestmark = pytest.mark.integration


def shares(group: str, topic_key: str) -> dict[str, int]:
    """Member id → how many partitions of the topic the group gives it (empty while the group
    is rebalancing)."""
    admin = KafkaAdminClient(bootstrap_servers=get_settings().kafka_bootstrap)
    try:
        described = with_coordinator(lambda: admin.describe_groups([group]))[group]
    finally:
        admin.close()
    if described["group_state"] != "Stable":
        return {}
    name = topic(topic_key)  # type: ignore[arg-type]
    return {
        member["member_id"]: sum(
            len(assigned["partitions"])
            for assigned in (member["member_assignment"] or {}).get("assigned_partitions", [])
            if assigned["topic"] == name
        )
        for member in described["members"]
    }


def test_workers_share_partitions_and_the_survivors_finish_a_killed_ones_work(
    es: Elasticsearch, topics: None, tmp_path: Path
) -> None:
    partitions = get_settings().kafka_partitions
    assert partitions >= 2, "scaling out needs at least two partitions"
    mentions = [
        raw_mention(f"Le wifi de la médiathèque ne marche plus, relevé {n}") for n in range(600)
    ]
    ids = [m.id for m in mentions]
    groups = {"enrich": new_group("raw"), "index": new_group("enriched")}
    workers = {
        (stage, n): start_process(stage, groups[stage], tmp_path / f"{stage}-{n}.log")
        for stage in ("enrich", "index")
        for n in (1, 2)
    }
    try:
        for stage, key in (("enrich", "raw"), ("index", "enriched")):
            eventually(
                split_as(groups[stage], key, _split(partitions)),
                600,  # each worker loads spaCy first, slow when the machine is busy
                f"two {stage} workers sharing the {partitions} partitions",
            )
        producer = make_producer()
        publish(producer, mentions)
        producer.close()
        eventually(lambda: indexed(es, ids) >= 60, 180, "indexing under way")
        for stage in ("enrich", "index"):
            assert stop_process(workers[(stage, 1)], signal.SIGKILL) == -signal.SIGKILL
        assert indexed(es, ids) < len(ids), "all indexed before a worker could be killed"
        eventually(lambda: indexed(es, ids) == len(ids), 300, "every mention indexed")
        for stage, key in (("enrich", "raw"), ("index", "enriched")):
            eventually(
                split_as(groups[stage], key, [[partitions]]),
                60,
                f"the surviving {stage} worker holding every partition",
            )
    finally:
        for (stage, n), process in workers.items():
            if process.poll() is None:
                log = (tmp_path / f"{stage}-{n}.log").read_text()[-2000:]
                assert stop_process(process) == 0, log
    alias = layout().mentions.alias
    es.indices.refresh(index=alias)
    assert es.count(index=alias, query={"ids": {"values": ids}})["count"] == len(ids)
    copies = es.search(
        index=alias,
        size=0,
        query={"ids": {"values": ids}},
        aggs={"twice": {"terms": {"field": "id", "min_doc_count": 2, "size": 10}}},
    )
    assert copies["aggregations"]["twice"]["buckets"] == []  # one document per mention


def split_as(group: str, topic_key: str, wanted: list[list[int]]) -> Callable[[], bool]:
    return lambda: sorted(shares(group, topic_key).values()) in wanted


def _split(partitions: int) -> list[list[int]]:
    """The ways two members can share the partitions, each getting at least one."""
    return [sorted([n, partitions - n]) for n in range(1, partitions)]
