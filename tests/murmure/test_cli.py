"""An unreachable service is reported in one line naming it and what to do, not a traceback."""

import os
import socket
import subprocess
import sys
from pathlib import Path

PROFILE = Path(__file__).parents[2] / "samples" / "profile.yml"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_elasticsearch_unreachable_is_one_clear_line() -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "murmure",
            "summary",
            "--profile",
            str(PROFILE),
            "--week",
            "2026-W45",
        ],
        env=os.environ | {"MURMURE_ES_URL": url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert f"Elasticsearch is not reachable at {url}" in result.stderr
    assert "murmure services up" in result.stderr
    assert "Traceback" not in result.stderr
