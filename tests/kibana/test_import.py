"""The import against a local HTTP server standing in for Kibana: it checks the request the way
Kibana's saved-objects import API reads it (method, path, query, headers, multipart body)."""

import base64
import json
import threading
from collections.abc import Iterator
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from kibana.build import NDJSON
from kibana.import_objects import (
    ImportSettings,
    KibanaImportError,
    Target,
    import_objects,
    wait_until_ready,
)

USER, PASSWORD = "elastic", "s3cret-for-tests"


class FakeKibana:
    """Starts unavailable for `starting` status calls, then imports what it is sent."""

    def __init__(
        self,
        *,
        starting: int = 0,
        busy_imports: int = 0,
        fail_ids: frozenset[str] = frozenset(),
        level: str = "available",
    ) -> None:
        self.starting = starting
        self.level = level
        self.busy_imports = busy_imports
        self.import_calls = 0
        self.fail_ids = fail_ids
        self.imports: list[list[dict[str, Any]]] = []
        self.problems: list[str] = []
        self.status_calls = 0


def _handler(kibana: FakeKibana) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # quiet
            pass

        def _send(self, status: int, body: object) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _authorised(self) -> bool:
            expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
            if self.headers.get("Authorization") != expected:
                self._send(401, {"statusCode": 401, "error": "Unauthorized"})
                return False
            return True

        def do_GET(self) -> None:
            if urlsplit(self.path).path != "/api/status":
                self._send(404, {})
                return
            if not self._authorised():
                return
            kibana.status_calls += 1
            if kibana.status_calls <= kibana.starting:
                self._send(503, {"status": {"overall": {"level": "unavailable"}}})
            else:
                self._send(200, {"status": {"overall": {"level": kibana.level}}})

        def do_POST(self) -> None:
            url = urlsplit(self.path)
            if url.path != "/api/saved_objects/_import":
                kibana.problems.append(f"path {url.path}")
                self._send(404, {})
                return
            if not self._authorised():
                return
            kibana.import_calls += 1
            if kibana.import_calls <= kibana.busy_imports:
                self.rfile.read(int(self.headers["Content-Length"]))
                self._send(503, {"message": "busy"})
                return
            if parse_qs(url.query).get("overwrite") != ["true"]:
                kibana.problems.append(f"query {url.query}")
            if self.headers.get("kbn-xsrf") is None:
                kibana.problems.append("no kbn-xsrf header")
                self._send(400, {"message": "Request must contain a kbn-xsrf header."})
                return
            body = self.rfile.read(int(self.headers["Content-Length"]))
            head = f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode()
            message = BytesParser(policy=HTTP).parsebytes(head + body)
            if not message.is_multipart():
                kibana.problems.append("body is not multipart/form-data")
                self._send(415, {})
                return
            parts = {
                part.get_param("name", header="content-disposition"): part
                for part in message.iter_parts()
            }
            if set(parts) != {"file"} or not str(parts["file"].get_filename()).endswith(".ndjson"):
                kibana.problems.append(f"form fields {sorted(map(str, parts))}")
            payload = parts["file"].get_payload(decode=True)
            assert isinstance(payload, bytes)
            objects = [json.loads(line) for line in payload.decode().splitlines() if line]
            kibana.imports.append(objects)
            failed = [o for o in objects if o["id"] in kibana.fail_ids]
            ok = [o for o in objects if o["id"] not in kibana.fail_ids]
            self._send(
                200,
                {
                    "success": not failed,
                    "successCount": len(ok),
                    "successResults": [{"type": o["type"], "id": o["id"]} for o in ok],
                    "errors": [
                        {"type": o["type"], "id": o["id"], "error": {"type": "missing_references"}}
                        for o in failed
                    ],
                },
            )

    return Handler


@pytest.fixture
def kibana_server(request: pytest.FixtureRequest) -> Iterator[tuple[FakeKibana, str]]:
    kibana = FakeKibana(**getattr(request, "param", {}))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(kibana))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield kibana, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


SETTINGS = ImportSettings(wait_timeout_s=60, retry_interval_s=0.01, request_timeout_s=5, space="")
PAYLOAD = NDJSON.read_bytes()


def _target(url: str, password: str = PASSWORD) -> Target:
    return Target(url=url, username=USER, password=SecretStr(password))


@pytest.mark.parametrize("kibana_server", [{"starting": 1, "level": "degraded"}], indirect=True)
def test_a_degraded_kibana_is_ready_enough_to_import(kibana_server: tuple[FakeKibana, str]) -> None:
    """Small single-node stacks often report "degraded" (a plugin short of something) for
    good: saved objects still import."""
    kibana, url = kibana_server
    report = import_objects(_target(url), PAYLOAD, settings=SETTINGS)
    assert kibana.status_calls == 2 and report.imported == len(PAYLOAD.decode().splitlines())


@pytest.mark.parametrize("kibana_server", [{"starting": 3}], indirect=True)
def test_waits_for_kibana_then_imports_every_object(kibana_server: tuple[FakeKibana, str]) -> None:
    kibana, url = kibana_server
    report = import_objects(_target(url), PAYLOAD, settings=SETTINGS)
    assert kibana.status_calls == 4  # three "unavailable", then "available"
    assert not kibana.problems
    sent = kibana.imports[0]
    assert [(o["type"], o["id"]) for o in sent] == report.objects
    assert report.imported == len(PAYLOAD.decode().splitlines())


def test_importing_twice_sends_the_same_objects(kibana_server: tuple[FakeKibana, str]) -> None:
    kibana, url = kibana_server
    import_objects(_target(url), PAYLOAD, settings=SETTINGS)
    import_objects(_target(url), PAYLOAD, settings=SETTINGS)
    assert kibana.imports[0] == kibana.imports[1]
    assert not kibana.problems


def test_wrong_password_is_an_error_at_once(kibana_server: tuple[FakeKibana, str]) -> None:
    kibana, url = kibana_server
    with pytest.raises(KibanaImportError, match="refused the credentials") as caught:
        import_objects(_target(url, password="wrong"), PAYLOAD, settings=SETTINGS)
    assert "wrong" not in str(caught.value)
    assert not kibana.imports


@pytest.mark.parametrize(
    "kibana_server", [{"fail_ids": frozenset({"murmure-mentions"})}], indirect=True
)
def test_a_refused_object_is_named(kibana_server: tuple[FakeKibana, str]) -> None:
    _, url = kibana_server
    with pytest.raises(KibanaImportError, match="index-pattern/murmure-mentions"):
        import_objects(_target(url), PAYLOAD, settings=SETTINGS)


def test_kibana_never_ready_times_out_with_the_reason() -> None:
    import httpx

    with (
        httpx.Client(base_url="http://127.0.0.1:9") as client,  # discard port: refused
        pytest.raises(KibanaImportError, match="not available after"),
    ):
        wait_until_ready(client, SETTINGS.model_copy(update={"wait_timeout_s": 0.05}))


@pytest.mark.parametrize("kibana_server", [{"busy_imports": 2}], indirect=True)
def test_import_goes_through_after_busy_answers(kibana_server: tuple[FakeKibana, str]) -> None:
    kibana, url = kibana_server
    report = import_objects(_target(url), PAYLOAD, settings=SETTINGS)
    assert kibana.import_calls == 3 and len(kibana.imports) == 1
    assert report.imported == len(kibana.imports[0])


def test_the_command_imports_with_branch_searches(
    kibana_server: tuple[FakeKibana, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from murmure.cli import app

    kibana, url = kibana_server
    monkeypatch.setenv("MURMURE_ES_PASSWORD", PASSWORD)
    monkeypatch.delenv("MURMURE_ES_PASSWORD_FILE", raising=False)
    result = CliRunner().invoke(
        app, ["kibana", "import", "--url", url, "--profile", "samples/profile.yml"]
    )
    assert result.exit_code == 0, result.output
    ids = {o["id"] for o in kibana.imports[0]}
    assert "murmure-voix-des-usagers" in ids and "murmure-branch-centrale" in ids
    assert not kibana.problems
