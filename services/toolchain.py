"""Finding Java and Maven up front, so a missing tool is one clear sentence, not a stack trace.

Both checks take the environment as a parameter: tests pass an empty PATH to prove the
error path without touching the machine.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from services.errors import ServiceError

_INSTALL_HINT = "install a JDK (Debian: apt-get install openjdk-17-jre-headless) or set JAVA_HOME"


@dataclass(frozen=True)
class JavaInfo:
    """A usable Java runtime."""

    executable: Path
    home: Path
    version: str
    major: int


@dataclass(frozen=True)
class Toolchain:
    """Java and Maven, plus the environment that makes Maven use that same Java."""

    java: JavaInfo
    mvn: Path
    env: dict[str, str]


def _java_candidate(env: Mapping[str, str]) -> Path:
    java_home = env.get("JAVA_HOME", "")
    if java_home:
        candidate = Path(java_home) / "bin" / "java"
        if not os.access(candidate, os.X_OK):
            raise ServiceError(f"JAVA_HOME={java_home} has no bin/java; {_INSTALL_HINT}")
        return candidate
    found = shutil.which("java", path=env.get("PATH", ""))
    if found is None:
        raise ServiceError(f"Java not found (no JAVA_HOME, no java on PATH); {_INSTALL_HINT}")
    return Path(found)


def _major(spec_version: str) -> int:
    """'1.8' -> 8, '17' -> 17."""
    parts = spec_version.split(".")
    return int(parts[1] if parts[0] == "1" and len(parts) > 1 else parts[0])


def check_java(min_version: int, env: Mapping[str, str] | None = None) -> JavaInfo:
    """The Java that JAVA_HOME or PATH gives, if it is at least `min_version`."""
    env = os.environ if env is None else env
    java = _java_candidate(env)
    try:
        proc = subprocess.run(
            [str(java), "-XshowSettings:properties", "-version"],
            capture_output=True,
            text=True,
            timeout=60,
            env=dict(env),
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ServiceError(f"could not run {java}: {exc}") from exc
    output = proc.stderr + proc.stdout
    spec = re.search(r"^\s*java\.specification\.version = (\S+)", output, re.MULTILINE)
    home = re.search(r"^\s*java\.home = (.+)$", output, re.MULTILINE)
    full = re.search(r"^\s*java\.version = (\S+)", output, re.MULTILINE)
    if proc.returncode != 0 or spec is None or home is None:
        last = " | ".join(output.strip().splitlines()[-3:])
        raise ServiceError(f"{java} does not look like a working Java runtime: {last}")
    major = _major(spec.group(1))
    if major < min_version:
        raise ServiceError(
            f"Java {min_version} or newer is required, but {java} is Java {spec.group(1)}; "
            f"{_INSTALL_HINT}"
        )
    return JavaInfo(
        executable=java,
        home=Path(home.group(1).strip()),
        version=full.group(1) if full else spec.group(1),
        major=major,
    )


def check_maven(env: Mapping[str, str] | None = None) -> Path:
    """The `mvn` on PATH; Kafka and Elasticsearch are fetched from Maven Central with it."""
    env = os.environ if env is None else env
    found = shutil.which("mvn", path=env.get("PATH", ""))
    if found is None:
        raise ServiceError(
            "Maven not found on PATH (needed to fetch Kafka and Elasticsearch); "
            "install it (Debian: apt-get install maven)"
        )
    return Path(found)


def check_toolchain(min_java: int, env: Mapping[str, str] | None = None) -> Toolchain:
    """Java and Maven together; Maven is told to use the Java that was checked."""
    env = dict(os.environ if env is None else env)
    java = check_java(min_java, env)
    mvn = check_maven(env)
    env["JAVA_HOME"] = str(java.home)
    return Toolchain(java=java, mvn=mvn, env=env)
