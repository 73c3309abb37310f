"""Problems a person can fix come out as one readable ServiceError; nothing is downloaded."""

import os
import socket
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from services import stack
from services.cli import app
from services.errors import ServiceError
from services.settings import load_spec
from services.toolchain import check_java, check_maven


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port some other process (this test) is listening on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_busy_kafka_port_is_named(busy_port: int, tmp_path: Path) -> None:
    env = {**os.environ, "MURMURE_HOME": str(tmp_path), "MURMURE_KAFKA_PORT": str(busy_port)}
    with pytest.raises(ServiceError, match=rf"port {busy_port} \(kafka client listener\)"):
        stack.start_service("kafka", env=env)
    assert not (tmp_path / "artifacts").exists()  # failed before any download


def test_busy_port_fails_up_before_anything_starts(
    busy_port: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MURMURE_HOME", str(tmp_path))
    monkeypatch.setenv("MURMURE_KAFKA_PORT", str(_free_port()))
    monkeypatch.setenv("MURMURE_KAFKA_CONTROLLER_PORT", str(_free_port()))
    monkeypatch.setenv("MURMURE_ES_PORT", str(_free_port()))
    monkeypatch.setenv("MURMURE_ES_TRANSPORT_PORT", str(busy_port))
    try:
        result = CliRunner().invoke(app, ["up"])
        assert result.exit_code == 1
        assert f"port {busy_port} (elasticsearch transport port)" in result.output
        assert "Traceback" not in result.output
        assert not (tmp_path / "run" / "kafka.pid").exists()  # Kafka was not started
    finally:
        stack.down()


def test_missing_java_stops_start_service(tmp_path: Path) -> None:
    env = {
        "PATH": str(tmp_path),
        "MURMURE_HOME": str(tmp_path),
        "MURMURE_KAFKA_PORT": str(_free_port()),
        "MURMURE_KAFKA_CONTROLLER_PORT": str(_free_port()),
    }
    with pytest.raises(ServiceError, match="Java not found"):
        stack.start_service("kafka", env=env)


def test_bad_port_override_is_reported() -> None:
    with pytest.raises(ServiceError, match=r"kafka\.port"):
        load_spec(env={"MURMURE_KAFKA_PORT": "not-a-port"})


def test_java_missing(tmp_path: Path) -> None:
    with pytest.raises(ServiceError, match="Java not found"):
        check_java(17, env={"PATH": str(tmp_path)})


def test_java_home_without_java(tmp_path: Path) -> None:
    with pytest.raises(ServiceError, match=rf"JAVA_HOME={tmp_path} has no bin/java"):
        check_java(17, env={"PATH": "", "JAVA_HOME": str(tmp_path)})


def test_java_too_old(tmp_path: Path) -> None:
    fake = tmp_path / "bin" / "java"
    fake.parent.mkdir()
    fake.write_text(
        "#!/bin/sh\n"
        "echo '    java.home = /opt/old-jdk' >&2\n"
        "echo '    java.specification.version = 1.8' >&2\n"
        "echo '    java.version = 1.8.0_402' >&2\n"
    )
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    with pytest.raises(ServiceError, match=r"Java 17 or newer is required, .* Java 1\.8"):
        check_java(17, env={"PATH": "", "JAVA_HOME": str(tmp_path)})


def test_real_java_passes() -> None:
    info = check_java(17)
    assert info.major >= 17
    assert (info.home / "bin" / "java").exists()


def test_maven_missing(tmp_path: Path) -> None:
    with pytest.raises(ServiceError, match="Maven not found"):
        check_maven(env={"PATH": str(tmp_path)})
