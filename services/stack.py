"""Starting, stopping and inspecting the local stack: the Python API behind `murmure services`.

Everything here is idempotent: `up()` on a running stack only checks that it answers,
`down()` on a stopped one only tidies stale pid files. Tests call `up()` at session start
and `stop_service()` / `start_service()` to simulate outages.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from services.base import Service, Step, quiet
from services.elasticsearch import ElasticsearchService
from services.errors import ServiceError
from services.kafka import KafkaService
from services.process import (
    HOST,
    ensure_ports_free,
    ensure_system_user,
    spawn,
    tail,
    terminate,
    wait_until,
)
from services.settings import StackSpec, StatePaths, load_spec, state_paths
from services.toolchain import Toolchain, check_toolchain

SERVICE_NAMES: tuple[str, ...] = ("kafka", "elasticsearch")


@dataclass(frozen=True)
class ServiceStatus:
    """One row of `murmure services status`."""

    name: str
    version: str
    pid: int | None
    port: int
    answering: bool

    @property
    def running(self) -> bool:
        """A live process is recorded for the service."""
        return self.pid is not None


@dataclass(frozen=True)
class StartResult:
    """What `start_service` did."""

    status: ServiceStatus
    started: bool  # False: it was already running and answering
    seconds: float


@dataclass(frozen=True)
class Endpoints:
    """Addresses clients (and tests) connect to."""

    kafka_bootstrap: str
    elasticsearch_url: str


@dataclass(frozen=True)
class Stack:
    """The configured services and where their state lives."""

    spec: StackSpec
    paths: StatePaths
    kafka: KafkaService
    elasticsearch: ElasticsearchService

    def service(self, name: str) -> Service:
        """Look a service up by its command-line name."""
        services: dict[str, Service] = {"kafka": self.kafka, "elasticsearch": self.elasticsearch}
        if name not in services:
            raise ServiceError(f"unknown service {name!r}; known: {', '.join(SERVICE_NAMES)}")
        return services[name]

    def services(self) -> list[Service]:
        """All services, in start order."""
        return [self.service(name) for name in SERVICE_NAMES]


def load_stack(env: Mapping[str, str] | None = None) -> Stack:
    """Read stack.yml and the MURMURE_* environment into a Stack."""
    spec = load_spec(env)
    paths = state_paths(env)
    return Stack(
        spec=spec,
        paths=paths,
        kafka=KafkaService(spec.kafka, spec, paths),
        elasticsearch=ElasticsearchService(spec.elasticsearch, spec, paths),
    )


def endpoints(env: Mapping[str, str] | None = None) -> Endpoints:
    """Kafka bootstrap servers and Elasticsearch URL for the configured ports."""
    stack = load_stack(env)
    return Endpoints(stack.kafka.bootstrap_servers, stack.elasticsearch.url)


class _Tools:
    """Java and Maven, checked once and only when something actually has to start."""

    def __init__(self, stack: Stack, env: Mapping[str, str] | None) -> None:
        self._stack = stack
        self._env = env
        self._tools: Toolchain | None = None

    def get(self) -> Toolchain:
        """The checked toolchain (raises ServiceError if Java or Maven is missing)."""
        if self._tools is None:
            self._tools = check_toolchain(self._stack.spec.java_min_version, self._env)
        return self._tools


def _status(service: Service) -> ServiceStatus:
    pid = service.pid_file.live_pid()
    return ServiceStatus(
        name=service.name,
        version=service.version,
        pid=pid,
        port=service.port,
        answering=pid is not None and service.answering(),
    )


def _failure(service: Service, why: str) -> ServiceError:
    parts = [f"{service.name} {service.version} {why} on {HOST}:{service.port}."]
    for log in service.logs():
        parts.append(f"--- last lines of {log} ---\n{tail(log)}")
    return ServiceError("\n".join(parts))


def _start(stack: Stack, service: Service, tools: _Tools, step: Step) -> StartResult:
    began = time.monotonic()
    pid = service.pid_file.live_pid()
    if pid is not None:
        step(f"Checking that {service.name} (pid {pid}) answers")
        why = wait_until(service.answering, pid=pid, timeout_s=service.start_timeout_s)
        if why is not None:
            raise _failure(service, f"is running (pid {pid}) but {why}")
        return StartResult(_status(service), False, time.monotonic() - began)
    service.pid_file.remove()
    ensure_ports_free(service.ports, service.name)
    toolchain = tools.get()
    service.install(toolchain, step)
    user = None
    if service.needs_unprivileged_user and os.geteuid() == 0:
        user = ensure_system_user(stack.spec.service_user, stack.paths.run)
    step(f"Preparing {service.name} {service.version}")
    launch = service.prepare(toolchain, user)
    pid = spawn(
        launch.cmd, cwd=launch.cwd, env=launch.env, console_log=launch.console_log, user=user
    )
    service.pid_file.write(pid)
    step(f"Waiting for {service.name} {service.version} to answer on {HOST}:{service.port}")
    why = wait_until(service.answering, pid=pid, timeout_s=service.start_timeout_s)
    if why is not None:
        error = _failure(service, why)
        terminate(pid, grace_s=10)
        service.pid_file.remove()
        raise error
    return StartResult(_status(service), True, time.monotonic() - began)


@contextmanager
def _exclusive(stack: Stack) -> Iterator[None]:
    """One start/stop at a time per state dir (parallel test runs call up() together)."""
    stack.paths.run.mkdir(parents=True, exist_ok=True)
    with (stack.paths.run / "stack.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _stop(service: Service, step: Step) -> bool:
    pid = service.pid_file.live_pid()
    if pid is not None:
        step(f"Stopping {service.name} (pid {pid})")
        terminate(pid)
    service.pid_file.remove()
    return pid is not None


def start_service(
    name: str, *, step: Step = quiet, env: Mapping[str, str] | None = None
) -> StartResult:
    """Start one service (download it first if needed) and wait until it answers."""
    stack = load_stack(env)
    with _exclusive(stack):
        return _start(stack, stack.service(name), _Tools(stack, env), step)


def stop_service(name: str, *, step: Step = quiet, env: Mapping[str, str] | None = None) -> bool:
    """Stop one service (SIGTERM, then SIGKILL); True if it was running."""
    stack = load_stack(env)
    with _exclusive(stack):
        return _stop(stack.service(name), step)


def up(*, step: Step = quiet, env: Mapping[str, str] | None = None) -> list[StartResult]:
    """Start every service that is not already running; fast when all are up."""
    stack = load_stack(env)
    with _exclusive(stack):
        for service in stack.services():  # all port conflicts before starting anything
            if service.pid_file.live_pid() is None:
                ensure_ports_free(service.ports, service.name)
        tools = _Tools(stack, env)
        return [_start(stack, service, tools, step) for service in stack.services()]


def down(
    *, wipe: bool = False, step: Step = quiet, env: Mapping[str, str] | None = None
) -> list[str]:
    """Stop every service; with `wipe`, delete their data too. Returns what was stopped."""
    stack = load_stack(env)
    with _exclusive(stack):
        stopped = [s.name for s in reversed(stack.services()) if _stop(s, step)]
        if wipe and stack.paths.data.exists():
            step(f"Deleting {stack.paths.data}")
            shutil.rmtree(stack.paths.data)
    return stopped


def status(env: Mapping[str, str] | None = None) -> list[ServiceStatus]:
    """Pid and answering state of every service."""
    return [_status(service) for service in load_stack(env).services()]
