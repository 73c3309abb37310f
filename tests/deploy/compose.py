"""The compose file, parsed with its `${VAR}` references, for the deployment tests."""

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERFILE = ROOT / "Dockerfile"

_VARIABLE = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)")


def compose() -> dict[str, Any]:
    return dict(yaml.safe_load(COMPOSE.read_text(encoding="utf-8")))


def compose_variables() -> set[str]:
    """Variables the compose file reads from .env (`$$` escapes a shell variable)."""
    text = COMPOSE.read_text(encoding="utf-8").replace("$$", "")
    return set(_VARIABLE.findall(text))


def env_example() -> dict[str, tuple[str, list[str]]]:
    """Each variable of .env.example with its value and the comment lines just above it."""
    entries: dict[str, tuple[str, list[str]]] = {}
    comments: list[str] = []
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            comments.append(line.lstrip("# ").strip())
        elif "=" in line:
            name, value = line.split("=", 1)
            entries[name.strip()] = (value, [c for c in comments if c and not c.startswith("---")])
            comments = []
        else:
            comments = []
    return entries


def murmure_services() -> dict[str, dict[str, Any]]:
    """Services that run the `murmure` command (the image built from the Dockerfile's runtime)."""
    return {
        name: service
        for name, service in compose()["services"].items()
        if service.get("build", {}).get("target") == "runtime"
    }
