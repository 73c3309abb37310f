"""The stack description (services/stack.yml) as a validated model, plus where state lives.

Versions, ports, heap sizes and Maven coordinates live in the YAML file only, so that the
code and docker-compose.yml cannot drift apart silently; a few values can be overridden
from the environment for machines where the default ports are busy.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from services.errors import ServiceError

Port = Annotated[int, Field(ge=1, le=65535)]
Heap = Annotated[str, Field(pattern=r"^[1-9][0-9]*[mg]$")]
Seconds = Annotated[float, Field(gt=0)]

# Environment variable -> (section, key) in stack.yml.
ENV_OVERRIDES: dict[str, tuple[str, str]] = {
    "MURMURE_KAFKA_PORT": ("kafka", "port"),
    "MURMURE_KAFKA_CONTROLLER_PORT": ("kafka", "controller_port"),
    "MURMURE_ES_PORT": ("elasticsearch", "port"),
    "MURMURE_ES_TRANSPORT_PORT": ("elasticsearch", "transport_port"),
}
TIMEOUT_ENV = "MURMURE_SERVICES_TIMEOUT"
HOME_ENV = "MURMURE_HOME"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class KafkaSpec(_Frozen):
    """Kafka in KRaft mode, one node acting as broker and controller."""

    version: str
    artifacts: list[str] = Field(min_length=1)
    port: Port
    controller_port: Port
    heap: Heap
    start_timeout_s: Seconds

    def coordinates(self) -> list[str]:
        """Maven coordinates with the version filled in."""
        return [a.format(version=self.version) for a in self.artifacts]


class ElasticsearchSpec(_Frozen):
    """Elasticsearch from its test distribution zip (no bundled JDK)."""

    version: str
    artifacts: list[str] = Field(min_length=1, max_length=1)
    port: Port
    transport_port: Port
    heap: Heap
    start_timeout_s: Seconds

    def coordinates(self) -> list[str]:
        """Maven coordinates with the version filled in."""
        return [a.format(version=self.version) for a in self.artifacts]


class StackSpec(_Frozen):
    """Everything services/stack.yml says."""

    java_min_version: int = Field(ge=8)
    service_user: str = Field(pattern=r"^[a-z_][a-z0-9_-]*$")
    maven_dependency_plugin: str
    maven_timeout_s: Seconds
    kafka: KafkaSpec
    elasticsearch: ElasticsearchSpec


def raw_spec() -> dict[str, Any]:
    """The YAML file as shipped, without environment overrides."""
    text = resources.files("services").joinpath("stack.yml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ServiceError("services/stack.yml must be a mapping")
    return data


def load_spec(env: Mapping[str, str] | None = None) -> StackSpec:
    """stack.yml with the MURMURE_* environment overrides applied, validated."""
    env = os.environ if env is None else env
    data = raw_spec()
    for var, (section, key) in ENV_OVERRIDES.items():
        if env.get(var):
            data[section][key] = env[var]
    if env.get(TIMEOUT_ENV):
        for section in ("kafka", "elasticsearch"):
            data[section]["start_timeout_s"] = env[TIMEOUT_ENV]
    try:
        return StackSpec.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ServiceError(
            f"invalid service settings (stack.yml or MURMURE_* variables): {problems}"
        ) from exc


@dataclass(frozen=True)
class StatePaths:
    """Where downloads, service data and run files go; never inside the git tree."""

    root: Path

    @property
    def artifacts(self) -> Path:
        """Maven downloads and unpacked distributions (kept by `down --wipe`)."""
        return self.root / "artifacts"

    @property
    def data(self) -> Path:
        """Kafka logs and Elasticsearch indices (removed by `down --wipe`)."""
        return self.root / "data"

    @property
    def run(self) -> Path:
        """Pid files, generated configs and service logs."""
        return self.root / "run"


def state_paths(env: Mapping[str, str] | None = None) -> StatePaths:
    """$MURMURE_HOME, else /var/lib/murmure for root, else the user's cache dir.

    Root's home is private (0700), and Elasticsearch runs as an unprivileged user who
    must reach its files, hence a system-wide directory when running as root.
    """
    env = os.environ if env is None else env
    if env.get(HOME_ENV):
        return StatePaths(Path(env[HOME_ENV]).expanduser().absolute())
    if os.geteuid() == 0:
        return StatePaths(Path("/var/lib/murmure"))
    cache = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return StatePaths(Path(cache) / "murmure")
