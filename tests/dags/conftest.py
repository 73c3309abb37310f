"""Airflow in a temporary home with a SQLite metadata database, set up once per session.

The environment must be set before anything imports Airflow, hence at module level here.
"""

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

DAGS = Path(__file__).resolve().parents[2] / "dags"
_HOME = Path(tempfile.mkdtemp(prefix="murmure-airflow-"))
os.environ.setdefault("AIRFLOW_HOME", str(_HOME))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(DAGS))
os.environ.setdefault("AIRFLOW__CORE__UNIT_TEST_MODE", "False")
os.environ.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "WARNING")

pytest.importorskip("airflow", reason="the DAG tests need the `airflow` extra installed")


@pytest.fixture(scope="session")
def airflow_db() -> Iterator[None]:
    airflow = Path(sys.executable).with_name("airflow")
    subprocess.run([str(airflow), "db", "migrate"], check=True, capture_output=True, env=os.environ)
    yield
