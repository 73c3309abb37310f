"""Fetching jars and archives from Maven Central with the machine's `mvn`.

Maven does the dependency resolution (Kafka has dozens of runtime jars) and its
~/.m2 cache makes repeated fetches cheap. A marker file records a finished fetch so an
interrupted download is redone instead of half-used.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

from services.errors import ServiceError
from services.toolchain import Toolchain

MARKER = ".murmure-complete"
_POM_NS = "http://maven.apache.org/POM/4.0.0"


def _dependency(parent: ET.Element, coordinate: str) -> None:
    parts = coordinate.split(":")
    if len(parts) not in (3, 4):
        raise ServiceError(
            f"bad Maven coordinate {coordinate!r} (want group:artifact:version[:type])"
        )
    dep = ET.SubElement(parent, "dependency")
    for tag, value in zip(("groupId", "artifactId", "version", "type"), parts, strict=False):
        ET.SubElement(dep, tag).text = value


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_BOILERPLATE = ("re-run maven", "-x switch", "-e switch", "possible solutions", "[help 1] http")


def _worth_showing(line: str) -> bool:
    """Drop Maven's generic advice and empty [ERROR] lines from what we show."""
    text = line.strip().lower()
    return text not in ("", "[error]") and not any(b in text for b in _BOILERPLATE)


def write_pom(path: Path, name: str, coordinates: list[str]) -> None:
    """A throwaway pom whose only purpose is to list what to download."""
    project = ET.Element("project", xmlns=_POM_NS)
    for tag, value in (
        ("modelVersion", "4.0.0"),
        ("groupId", "local.murmure.services"),
        ("artifactId", f"fetch-{name.lower()}"),
        ("version", "0"),
        ("packaging", "pom"),
    ):
        ET.SubElement(project, tag).text = value
    deps = ET.SubElement(project, "dependencies")
    for coordinate in coordinates:
        _dependency(deps, coordinate)
    ET.indent(project)
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(project).write(path, encoding="utf-8", xml_declaration=True)


def is_fetched(out_dir: Path, coordinates: list[str]) -> bool:
    """True when `out_dir` holds a finished fetch of exactly these coordinates."""
    marker = out_dir / MARKER
    return marker.is_file() and marker.read_text(encoding="utf-8") == "\n".join(coordinates)


def fetch(
    name: str,
    coordinates: list[str],
    work_dir: Path,
    out_dir: Path,
    *,
    tools: Toolchain,
    plugin_version: str,
    timeout_s: float,
    transitive: bool = True,
) -> list[Path]:
    """Copy the artifacts (and their runtime dependencies if `transitive`) into `out_dir`."""
    if is_fetched(out_dir, coordinates):
        return sorted(p for p in out_dir.iterdir() if p.name != MARKER)
    pom = work_dir / "pom.xml"
    write_pom(pom, name, coordinates)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    cmd = [
        str(tools.mvn),
        "-B",
        "-q",
        "-Dstyle.color=never",
        "-f",
        str(pom),
        f"org.apache.maven.plugins:maven-dependency-plugin:{plugin_version}:copy-dependencies",
        "-DincludeScope=runtime",
        f"-DoutputDirectory={out_dir}",
        f"-DexcludeTransitive={'false' if transitive else 'true'}",
    ]
    try:
        proc = subprocess.run(
            cmd,
            cwd=work_dir,
            env=tools.env,
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise ServiceError(
            f"Maven did not finish fetching {name} within {timeout_s:.0f} s"
        ) from exc
    if proc.returncode != 0 or not out_dir.is_dir():
        plain = _ANSI.sub("", proc.stdout + proc.stderr)
        said = [line for line in plain.splitlines() if _worth_showing(line)]
        tail = "\n".join(said[-15:]) or "(no output)"
        raise ServiceError(
            f"downloading {name} with Maven failed (exit {proc.returncode}) for "
            f"{', '.join(coordinates)}. Maven said:\n{tail}"
        )
    (out_dir / MARKER).write_text("\n".join(coordinates), encoding="utf-8")
    return sorted(p for p in out_dir.iterdir() if p.name != MARKER)
