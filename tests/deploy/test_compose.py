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
        # Stage commands are loaded on demand: ask the group, as click does when it runs.
        found = command.get_command(None, arg) if hasattr(command, "get_command") else None
        if found is not None:
            command = found
            options = []
        elif options:
            continue  # the value of the previous option
        else:
            known = command.list_commands(None) if hasattr(command, "list_commands") else []
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
    one_shots = {
        "elasticsearch-volumes",
        "kibana-password",
        "kibana-setup",
        "murmure-setup",
        "airflow-init",
    }
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


def test_the_dags_start_unpaused() -> None:
    """Airflow pauses new DAGs by default (its own compose file keeps that): the weekly summary
    would then never be sent. The DAGs say so themselves too (tests/dags)."""
    for name, service in compose()["services"].items():
        if name.startswith("airflow-") and name != "airflow-db":
            env = service["environment"]
            assert env["AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION"] == "false", name


def test_the_snapshot_volume_is_given_to_elasticsearch_before_it_starts() -> None:
    """The official image has no snapshots folder: a new named volume there belongs to root,
    and Elasticsearch (uid 1000, gid 0) could not write a snapshot. A one-shot service running
    as root prepares it, as Elastic's own setup container prepares its certificates."""
    services = compose()["services"]
    es = services["elasticsearch"]
    repo = es["environment"]["path.repo"]
    assert f"es-snapshots:{repo}" in es["volumes"]
    preparers = [
        (name, service)
        for name, service in services.items()
        if name != "elasticsearch" and f"es-snapshots:{repo}" in service.get("volumes", [])
    ]
    assert len(preparers) == 1, preparers
    name, preparer = preparers[0]
    assert str(preparer["user"]) == "0" and preparer["image"] == es["image"]
    script = " ".join(preparer.get("entrypoint", [])) + " " + " ".join(preparer["command"])
    assert re.search(rf"chown -R 1000:0 {re.escape(repo)}", script), script
    assert es["depends_on"][name] == {"condition": "service_completed_successfully"}


def _fake_elasticsearch(failures: int) -> tuple[Any, list[str]]:
    """Answers the password call with 503 `failures` times, then `{}` as Elasticsearch does."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    calls: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            calls.append(f"{self.path} {json.loads(body)['password']}")
            status, answer = (
                (503, b'{"error":"not ready"}')
                if len(calls) <= failures
                else (
                    200,
                    b"{}",
                )
            )
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, calls


def _run_kibana_password(server: Any, tries: int) -> subprocess.CompletedProcess[str]:
    service = compose()["services"]["kibana-password"]
    script = service["command"][0].replace("$$", "$")
    env = {
        "PATH": os.environ["PATH"],
        "ELASTIC_PASSWORD": "elastic-secret",
        "KIBANA_PASSWORD": "kibana-secret",
    }
    for name, value in service["environment"].items():
        if "${" not in str(value):
            env[name] = str(value)
    env |= {
        "ELASTICSEARCH_URL": f"http://127.0.0.1:{server.server_address[1]}",
        "RETRY_SECONDS": "0",
        "TRIES": str(tries),
    }
    shell = shutil.which("bash") or "sh"
    return subprocess.run(
        [shell, "-c", script], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_kibana_password_is_retried_until_elasticsearch_takes_it() -> None:
    """One refused call must not leave Kibana down for good: retry like Elastic's setup does,
    and if it still fails, exit non-zero so Compose restarts it."""
    service = compose()["services"]["kibana-password"]
    assert str(service["restart"]).startswith("on-failure"), service["restart"]
    assert compose()["services"]["kibana"]["depends_on"]["kibana-password"] == {
        "condition": "service_completed_successfully"
    }
    server, calls = _fake_elasticsearch(failures=2)
    try:
        done = _run_kibana_password(server, tries=5)
    finally:
        server.shutdown()
    assert done.returncode == 0, done.stdout + done.stderr
    assert calls == ["/_security/user/kibana_system/_password kibana-secret"] * 3
    assert "kibana-secret" not in done.stdout + done.stderr
    server, calls = _fake_elasticsearch(failures=100)
    try:
        gave_up = _run_kibana_password(server, tries=3)
    finally:
        server.shutdown()
    assert gave_up.returncode != 0 and len(calls) == 3
