"""What the orchestration needs from each service (Kafka, Elasticsearch)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from services.process import PidFile, RunAs
from services.toolchain import Toolchain

Step = Callable[[str], None]
"""Receives short progress messages ("downloading Kafka 4.3.1…") for a spinner."""


def quiet(_message: str) -> None:
    """A Step that shows nothing (the Python API default)."""


@dataclass(frozen=True)
class Launch:
    """How to start one service process."""

    cmd: list[str]
    cwd: Path
    env: dict[str, str]
    console_log: Path
    user: RunAs | None = None


class Service(Protocol):
    """One background service of the local stack."""

    @property
    def name(self) -> str:
        """Short name used on the command line and in pid files."""

    @property
    def version(self) -> str:
        """The version stack.yml pins."""

    @property
    def port(self) -> int:
        """The port clients use."""

    @property
    def ports(self) -> dict[int, str]:
        """Every port the service binds, with what it is for."""

    @property
    def needs_unprivileged_user(self) -> bool:
        """True if the service refuses to run as root."""

    @property
    def start_timeout_s(self) -> float:
        """How long to wait for it to answer after launching it."""

    @property
    def pid_file(self) -> PidFile:
        """Where its pid is recorded."""

    def install(self, tools: Toolchain, step: Step) -> None:
        """Download and unpack whatever is missing (no-op when cached)."""

    def prepare(self, tools: Toolchain, user: RunAs | None) -> Launch:
        """Write configuration, initialise storage, and say how to launch."""

    def answering(self) -> bool:
        """True if the service answers a real request right now."""

    def logs(self) -> list[Path]:
        """Log files worth showing when start-up fails."""
