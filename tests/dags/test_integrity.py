"""Every DAG imports, has no cycle, runs when intended, and opens no connection while parsed."""

import socket
from datetime import timedelta
from typing import Any

import pytest

from tests.dags.conftest import DAGS

EXPECTED = {  # schedule, catch-up, paused when first seen
    "murmure_weekly_summary": ("0 7 * * 1", True, False),
    "murmure_retention": ("30 3 * * *", False, False),
    "murmure_review_export": ("0 6 * * 1", False, False),
    "murmure_retrain": ("0 4 1 * *", False, True),
}


def _load() -> Any:
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS), safe_mode=False)


def test_every_dag_imports_without_opening_a_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        opened.append(address)
        raise OSError(f"a DAG opened a connection to {address} while being parsed")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    bag = _load()
    assert bag.import_errors == {}
    assert opened == []
    assert set(bag.dag_ids) == set(EXPECTED)


def test_schedules_timezones_and_no_cycles() -> None:
    bag = _load()
    for dag_id, (cron, catchup, paused) in EXPECTED.items():
        dag = bag.dags[dag_id]
        assert dag is not None
        dag.check_cycle()
        timetable = dag.timetable
        assert timetable.expression == cron
        assert str(timetable.timezone) == "Europe/Paris"
        assert dag.catchup is catchup
        assert dag.max_active_runs == 1
        # Airflow pauses new DAGs by default: the weekly summary would never be sent. Only
        # retraining, which can change the active model, waits to be turned on.
        assert dag.is_paused_upon_creation is paused
        for task in dag.tasks:
            assert task.retries >= 1, task.task_id
    weekly = bag.dags["murmure_weekly_summary"]
    assert [t.task_id for t in weekly.topological_sort()] == [
        "compute",
        "render",
        "send",
        "archive",
    ]
    assert weekly.timetable.interval == timedelta(weeks=1)


def test_erasure_requests_are_processed_even_when_expiry_fails() -> None:
    """Erasure is a legal duty: a failing expiry (an odd index) must not hold it back."""
    retention = _load().dags["murmure_retention"]
    erase = retention.get_task("erase")
    assert erase.upstream_task_ids == set() or erase.trigger_rule == "all_done"
