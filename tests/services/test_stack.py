"""The real services: up() leaves both answering, and a stopped service comes back intact."""

import uuid

import pytest
from kafka.admin import KafkaAdminClient, NewTopic

from services import stack
from services.process import port_is_free

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module", autouse=True)
def running() -> None:
    stack.up()


def test_up_reports_both_answering() -> None:
    rows = {row.name: row for row in stack.status()}
    assert set(rows) == {"kafka", "elasticsearch"}
    assert all(row.answering and row.pid for row in rows.values()), rows


def test_up_is_idempotent() -> None:
    before = {row.name: row.pid for row in stack.status()}
    results = stack.up()
    assert [r.started for r in results] == [False, False]
    assert {r.status.name: r.status.pid for r in results} == before


def test_elasticsearch_runs_the_pinned_version() -> None:
    es = stack.load_stack().elasticsearch
    assert es.running_version() == es.version


def test_kafka_restart_keeps_topics() -> None:
    bootstrap = stack.endpoints().kafka_bootstrap
    topic = f"services-restart-{uuid.uuid4().hex[:8]}"
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
    finally:
        admin.close()

    assert stack.stop_service("kafka") is True
    kafka = stack.load_stack().kafka
    assert not kafka.answering()
    assert all(port_is_free(port) for port in kafka.ports)

    result = stack.start_service("kafka")
    assert result.started and result.status.answering
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        assert topic in admin.list_topics()
        admin.delete_topics([topic])
    finally:
        admin.close()
