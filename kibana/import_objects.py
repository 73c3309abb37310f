"""Imports the saved objects into Kibana through its saved-objects import API.

Idempotent: `overwrite=true` replaces objects of the same id. Kibana takes minutes to start, so
the import first waits for `/api/status` to say "available" or "degraded" (a plugin short of
something, which small single-node stacks often stay in: saved objects still import), retrying
on connection errors and 5xx answers; a refused login or a rejected object is an error at once.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from config.packaged import packaged_settings

log = logging.getLogger(__name__)


class ImportSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    wait_timeout_s: float = Field(gt=0)
    retry_interval_s: float = Field(gt=0)
    request_timeout_s: float = Field(gt=0)
    space: str


@lru_cache(maxsize=1)
def import_settings() -> ImportSettings:
    return packaged_settings(ImportSettings, "kibana", "settings.yml")


_READY = frozenset({"available", "degraded"})


class KibanaImportError(RuntimeError):
    """Says what Kibana answered (never the credentials)."""


@dataclass(frozen=True)
class Target:
    url: str
    username: str
    password: SecretStr | None


@dataclass(frozen=True)
class ImportReport:
    imported: int
    objects: list[tuple[str, str]]  # (type, id) of every object Kibana accepted


def _client(target: Target, settings: ImportSettings) -> httpx.Client:
    auth = (target.username, target.password.get_secret_value()) if target.password else None
    space = f"/s/{settings.space}" if settings.space else ""
    return httpx.Client(
        base_url=target.url.rstrip("/") + space,
        auth=auth,
        headers={"kbn-xsrf": "true"},  # Kibana refuses API writes without it
        timeout=settings.request_timeout_s,
    )


def _refused(response: httpx.Response) -> KibanaImportError | None:
    if response.status_code in (401, 403):
        return KibanaImportError(
            f"Kibana refused the credentials ({response.status_code}): check "
            "MURMURE_ES_USERNAME and MURMURE_ES_PASSWORD (or MURMURE_ES_PASSWORD_FILE)"
        )
    return None


def wait_until_ready(
    client: httpx.Client,
    settings: ImportSettings,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> None:
    deadline = clock() + settings.wait_timeout_s
    last = "no answer yet"
    while True:
        try:
            response = client.get("/api/status")
            if error := _refused(response):
                raise error
            level = _overall_level(response) if response.status_code == 200 else None
            if level in _READY:
                return
            last = f"status {response.status_code}, level {level or 'unknown'}"
        except httpx.TransportError as error:
            last = f"{type(error).__name__}: {error}"
        if clock() >= deadline:
            raise KibanaImportError(
                f"Kibana at {client.base_url} not available after "
                f"{settings.wait_timeout_s:.0f} s ({last})"
            )
        log.info("waiting for Kibana at %s (%s)", client.base_url, last)
        sleep(settings.retry_interval_s)


def _overall_level(response: httpx.Response) -> str | None:
    try:
        level = response.json()["status"]["overall"]["level"]
    except (ValueError, KeyError, TypeError):
        return None
    return str(level)


def import_ndjson(
    client: httpx.Client,
    payload: bytes,
    settings: ImportSettings,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> ImportReport:
    deadline = clock() + settings.wait_timeout_s
    while True:
        try:
            response = client.post(
                "/api/saved_objects/_import",
                params={"overwrite": "true"},
                files={"file": ("murmure.ndjson", payload, "application/ndjson")},
            )
            if response.status_code < 500:
                break
            last = f"status {response.status_code}"
        except httpx.TransportError as error:
            last = f"{type(error).__name__}: {error}"
        if clock() >= deadline:
            raise KibanaImportError(f"import did not go through ({last})")
        sleep(settings.retry_interval_s)
    if refused := _refused(response):
        raise refused
    if response.status_code != 200:
        raise KibanaImportError(
            f"Kibana rejected the import ({response.status_code}): {response.text[:500]}"
        )
    return _report(response.json())


def _report(body: dict[str, Any]) -> ImportReport:
    if not body.get("success"):
        problems = [
            f"{item.get('type')}/{item.get('id')}: {item.get('error', {}).get('type', 'error')}"
            for item in body.get("errors", [])
        ]
        raise KibanaImportError("Kibana refused saved objects: " + "; ".join(problems))
    accepted = [(item["type"], item["id"]) for item in body.get("successResults", [])]
    return ImportReport(imported=int(body.get("successCount", 0)), objects=accepted)


def import_objects(
    target: Target, payload: bytes, *, settings: ImportSettings | None = None
) -> ImportReport:
    """Waits for Kibana, then imports `payload` (NDJSON saved objects) with overwrite."""
    settings = settings or import_settings()
    with _client(target, settings) as client:
        wait_until_ready(client, settings)
        return import_ndjson(client, payload, settings)
