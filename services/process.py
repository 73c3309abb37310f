"""Background processes: pid files, port checks, waiting, stopping, running as another user.

Services are started in their own session so they outlive the CLI, and stopped through
their process group so helper JVMs (the Elasticsearch launcher) go down with them.
A pid file stores the process start time too, so a recycled pid is never mistaken
for our service.
"""

from __future__ import annotations

import contextlib
import errno
import os
import pwd
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from services.errors import ServiceError

HOST = "127.0.0.1"


def _start_ticks(pid: int) -> int | None:
    """Process start time in clock ticks since boot (field 22 of /proc/PID/stat)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    if fields[0] == "Z":  # exited, only waiting to be reaped
        return None
    return int(fields[19])


@dataclass(frozen=True)
class PidFile:
    """`run/<service>.pid`: the pid on the first line, its start time on the second."""

    path: Path

    def write(self, pid: int) -> None:
        """Record a freshly started process."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(f"{pid}\n{_start_ticks(pid) or 0}\n", encoding="ascii")

    def live_pid(self) -> int | None:
        """The recorded pid if that very process is still running, else None."""
        try:
            lines = self.path.read_text(encoding="ascii").split()
            pid, ticks = int(lines[0]), int(lines[1])
        except (OSError, ValueError, IndexError):
            return None
        _reap(pid)
        current = _start_ticks(pid)
        if current is None or (ticks and current != ticks):
            return None
        return pid

    def remove(self) -> None:
        """Forget the process."""
        self.path.unlink(missing_ok=True)


def _reap(pid: int) -> None:
    """Collect our own exited child so it does not linger as a zombie."""
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def alive(pid: int) -> bool:
    """True while the process exists and has not exited."""
    _reap(pid)
    return _start_ticks(pid) is not None


def group_alive(pgid: int) -> bool:
    """True while any non-exited process remains in process group `pgid`."""
    _reap(pgid)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text(encoding="ascii").rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            return True
    return False


def port_is_free(port: int, host: str = HOST) -> bool:
    """True if nothing listens on host:port (we can bind it ourselves)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


def ensure_ports_free(ports: Mapping[int, str], service: str) -> None:
    """Fail before starting anything if another process holds one of our ports."""
    for port, role in ports.items():
        if not port_is_free(port):
            raise ServiceError(
                f"port {port} ({service} {role}) is already taken by another process on "
                f"{HOST}; stop that process or choose another port (see .env.example)"
            )


def tcp_answers(port: int, host: str = HOST, timeout_s: float = 1.0) -> bool:
    """True if something accepts a TCP connection on host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return True
    except OSError:
        return False


@dataclass(frozen=True)
class RunAs:
    """An unprivileged account to run a service as."""

    name: str
    uid: int
    gid: int
    home: Path


def ensure_system_user(name: str, home: Path) -> RunAs:
    """Create the system account `name` if missing (needs root) and describe it."""
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        proc = subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise ServiceError(
                f"could not create the system user {name!r} that runs Elasticsearch "
                f"(it refuses to run as root): {proc.stderr.strip() or proc.stdout.strip()}"
            ) from None
        entry = pwd.getpwnam(name)
    return RunAs(name=name, uid=entry.pw_uid, gid=entry.pw_gid, home=home)


def chown_tree(path: Path, uid: int, gid: int) -> None:
    """Give a whole directory tree to uid:gid (skipping what it already owns)."""
    for item in [path, *path.rglob("*")]:
        st = item.lstat()
        if st.st_uid != uid or st.st_gid != gid:
            os.lchown(item, uid, gid)


def ensure_traversable(path: Path) -> None:
    """Check that any user can reach `path` (every ancestor world-executable).

    The service user must walk down to its files; /root is typically 0700.
    """
    for parent in [path, *path.parents]:
        if parent.exists() and not parent.stat().st_mode & 0o001:
            raise ServiceError(
                f"{parent} is not accessible to other users, so the unprivileged service "
                f"user cannot reach {path}; set MURMURE_HOME to a directory such as "
                "/var/lib/murmure"
            )


def spawn(
    cmd: list[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    console_log: Path,
    user: RunAs | None = None,
) -> int:
    """Start `cmd` detached (new session, no stdin, output to `console_log`); return its pid."""
    console_log.parent.mkdir(parents=True, exist_ok=True)
    with console_log.open("ab") as out:
        try:
            proc = subprocess.Popen(
                cmd,
                cwd=cwd,
                env=dict(env),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                user=user.uid if user else None,
                group=user.gid if user else None,
                extra_groups=[] if user else None,
            )
        except OSError as exc:
            raise ServiceError(f"could not start {cmd[0]}: {exc}") from exc
    return proc.pid


def terminate(pid: int, grace_s: float = 30.0) -> None:
    """SIGTERM the process group led by `pid`, wait up to `grace_s`, then SIGKILL it.

    Returns once every process of the group is gone, so the ports are free again.
    """
    if not alive(pid):
        return
    try:
        group = os.getpgid(pid) == pid
    except ProcessLookupError:
        return

    def gone() -> bool:
        return not (group_alive(pid) if group else alive(pid))

    def send(sig: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError):
            if group:
                os.killpg(pid, sig)
            else:
                os.kill(pid, sig)

    for sig, wait_s in ((signal.SIGTERM, grace_s), (signal.SIGKILL, 10.0)):
        send(sig)
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if gone():
                return
            time.sleep(0.2)


def wait_until(
    probe: Callable[[], bool],
    *,
    pid: int,
    timeout_s: float,
    interval_s: float = 1.0,
) -> str | None:
    """Poll `probe` until it holds; return None on success, else why it did not."""
    deadline = time.monotonic() + timeout_s
    while True:
        if probe():
            return None
        if not alive(pid):
            return "exited during start-up"
        if time.monotonic() >= deadline:
            return f"did not answer within {timeout_s:.0f} s"
        time.sleep(interval_s)


def tail(path: Path, lines: int = 25) -> str:
    """The last lines of a log file, or a note that it does not exist."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return f"({path} does not exist)"
    return "\n".join(text.splitlines()[-lines:])
