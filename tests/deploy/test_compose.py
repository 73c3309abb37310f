"""docker-compose.yml: valid for a Compose implementation, every Murmure command real, versions
equal to those `murmure services` runs, secrets required, limits for a 16 GB server."""

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import typer.main
import yaml

from murmure.cli import app
from services.settings import load_spec
from tests.deploy.compose import COMPOSE, ROOT, compose, env_example, murmure_services

REQUIRED_SECRETS = [
    "ELASTIC_PASSWORD",
    "KIBANA_PASSWORD",
    "AIRFLOW_DB_PASSWORD",
    "AIRFLOW_FERNET_KEY",
    "AIRFLOW_SECRET_KEY",
    "AIRFLOW_JWT_SECRET",
]


def _env_file(tmp_path: Path, filled: bool) -> Path:
    lines = []
    for name, (value, _) in env_example().items():
        if filled and name in REQUIRED_SECRETS:
            value = os.urandom(12).hex()
        lines.append(f"{name}={value}")
    path = tmp_path / "test.env"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _compose_config(env_file: Path) -> subprocess.CompletedProcess[str]:
    tool = shutil.which("docker-compose")
    if tool is None:
        if os.environ.get("CI"):
            pytest.fail("docker-compose is missing: .ci/run installs Debian's docker-compose")
        pytest.skip("docker-compose (Debian package) not installed")
    return subprocess.run(
        [
            tool,
            "-f",
            str(COMPOSE),
            "--project-directory",
            str(ROOT),
            "--env-file",
            str(env_file),
            "config",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_compose_config_accepts_the_file(tmp_path: Path) -> None:
    result = _compose_config(_env_file(tmp_path, filled=True))
    assert result.returncode == 0, result.stderr
    resolved = yaml.safe_load(result.stdout)
    assert set(resolved["services"]) == set(compose()["services"])
    es = resolved["services"]["elasticsearch"]["environment"]
    assert es["xpack.security.enabled"] == "true" and es["ELASTIC_PASSWORD"]


def test_compose_refuses_to_run_without_the_passwords(tmp_path: Path) -> None:
    result = _compose_config(_env_file(tmp_path, filled=False))
    assert result.returncode != 0
    assert "ELASTIC_PASSWORD" in result.stderr or "PASSWORD" in result.stderr


def test_no_password_has_a_default() -> None:
    text = COMPOSE.read_text(encoding="utf-8")
    for name in REQUIRED_SECRETS:
        uses = re.findall(r"\$\{" + name + r"([^}]*)\}", text)
        assert uses, name
        assert all(use == "" or use.startswith(":?") for use in uses), (name, uses)
    for name in REQUIRED_SECRETS:
        assert env_example()[name][0] == "", f"{name} must be empty in .env.example"


def _command(args: list[str]) -> tuple[Any, list[str]]:
    """The click command `murmure ARGS` runs, and the options given to it."""
    command: Any = typer.main.get_command(app)
    options: list[str] = []
    for arg in args:
        if arg.startswith("-"):
            options.append(arg.split("=", 1)[0])
            continue
        if arg in getattr(command, "commands", {}):
            command = command.commands[arg]
            options = []
        elif options:
            continue  # the value of the previous option
        else:
            known = sorted(getattr(command, "commands", {}))
            raise AssertionError(f"`murmure {' '.join(args)}`: no {arg!r} among {known}")
    return command, options


def test_every_murmure_service_runs_a_real_command() -> None:
    services = murmure_services()
    expected = {"listen", "enrich", "index", "alerts", "murmure-setup", "kibana-setup"}
    assert expected <= set(services)
    root = typer.main.get_command(app)
    global_options = {opt for param in root.params for opt in param.opts}
    for name, service in services.items():
        command, options = _command(service["command"])
        assert command is not root, name
        known = {opt for param in command.params for opt in param.opts} | global_options
        assert set(options) <= known, (name, set(options) - known)
        assert not hasattr(command, "commands") or command.invoke_without_command, name


def test_workers_get_what_they_need() -> None:
    for name, service in murmure_services().items():
        env = service["environment"]
        assert env["MURMURE_KAFKA_BOOTSTRAP"] == "kafka:19092", name
        assert env["MURMURE_ES_URL"] == "http://elasticsearch:9200", name
        assert env["MURMURE_PROFILE"] == "/etc/murmure/profile.yml", name
        mounts = [_target(volume) for volume in service.get("volumes", [])]
        assert "/etc/murmure/profile.yml" in mounts, name
    for name in ("listen", "enrich", "index", "alerts"):
        service = murmure_services()[name]
        assert service["secrets"] == ["pseudonym_key"], name
        assert service["environment"]["MURMURE_PSEUDONYM_KEY_FILE"] == "/run/secrets/pseudonym_key"
        assert service["restart"] == "unless-stopped" and "healthcheck" in service, name


def _target(volume: str) -> str:
    """`SOURCE:TARGET[:MODE]`, where SOURCE may be `${VAR:-default}`."""
    parts = volume.rsplit(":", 2)
    return parts[-2] if parts[-1] in {"ro", "rw"} else parts[-1]


def test_versions_match_murmure_services() -> None:
    spec = load_spec(env={})
    images = {name: s.get("image") for name, s in compose()["services"].items()}
    assert images["kafka"] == f"apache/kafka:{spec.kafka.version}"
    elastic = {n: i for n, i in images.items() if i and i.startswith("docker.elastic.co/")}
    assert {"elasticsearch", "kibana", "kibana-password"} <= set(elastic)
    assert all(image.endswith(f":{spec.elasticsearch.version}") for image in elastic.values())


def test_long_running_services_have_health_restart_and_limits() -> None:
    one_shots = {"kibana-password", "kibana-setup", "murmure-setup", "airflow-init"}
    total = 0.0
    for name, service in compose()["services"].items():
        assert "mem_limit" in service, name
        if name in one_shots:
            continue
        assert service["restart"] == "unless-stopped", name
        if "dev" not in service.get("profiles", []):
            total += _gigabytes(service["mem_limit"])
    assert total <= 14.5, f"long-running services may take {total:.1f} GB of a 16 GB server"


def _gigabytes(limit: str) -> float:
    number, unit = float(limit[:-1]), limit[-1].lower()
    return number / 1024 if unit == "m" else number


def test_state_lives_in_named_volumes() -> None:
    document = compose()
    named = set(document["volumes"])
    for name in ("kafka", "elasticsearch", "airflow-db"):
        for volume in document["services"][name]["volumes"]:
            assert volume.split(":", 1)[0] in named, (name, volume)


def test_airflow_runs_the_dags_with_postgres() -> None:
    services = compose()["services"]
    for name in ("airflow-apiserver", "airflow-scheduler", "airflow-dag-processor"):
        service = services[name]
        env = service["environment"]
        assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql")
        assert "./dags:/opt/murmure/dags:ro" in service["volumes"]
        assert "AIRFLOW_CONN_MURMURE_ES" in env and "AIRFLOW_CONN_MURMURE_SMTP" in env
    assert services["airflow-scheduler"]["command"] == ["scheduler"]
    assert services["airflow-dag-processor"]["command"] == ["dag-processor"]
    assert (ROOT / "dags" / "weekly_summary.py").exists()


def test_the_mail_catcher_is_for_development_only() -> None:
    assert compose()["services"]["mailpit"]["profiles"] == ["dev"]
