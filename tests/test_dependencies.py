"""Dependencies between the top-level folders point one way (read from the source's imports).

Configuration and contracts import no stage; no stage imports the `murmure` application that
gathers them; retention does not import the summaries' rendering; no two folders import each
other, lazily or not.
"""

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STAGES = (
    "services",
    "bus",
    "listeners",
    "nlp",
    "indexer",
    "alerts",
    "summaries",
    "retention",
    "review",
    "kibana",
)
PACKAGES = ("config", "schemas", *STAGES, "murmure")
# Known two-way edge, left to untangle: `murmure nlp train --with-corrections` reads the staff's
# corrections (review) while the review spreadsheet ranks posts by the model's sureness (nlp).
KNOWN_CYCLES = {frozenset({"nlp", "review"})}


def imports(folder: str) -> Iterator[tuple[Path, str]]:
    """(file, imported module) for every absolute import in `folder`, at any depth of the code."""
    for path in sorted((ROOT / folder).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                yield from ((path, alias.name) for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                yield path, node.module


def edges() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {folder: set() for folder in PACKAGES}
    for folder in PACKAGES:
        for _, module in imports(folder):
            top = module.split(".")[0]
            if top in PACKAGES and top != folder:
                found[folder].add(top)
    return found


@pytest.mark.parametrize("folder", ["config", "schemas"])
def test_configuration_and_contracts_import_no_stage(folder: str) -> None:
    allowed = {"config"}
    assert edges()[folder] <= allowed, f"{folder}/ imports {sorted(edges()[folder] - allowed)}"


@pytest.mark.parametrize("folder", STAGES)
def test_no_stage_imports_the_application(folder: str) -> None:
    assert "murmure" not in edges()[folder]


def test_retention_does_not_import_the_summaries_rendering() -> None:
    rendering = ("summaries.render", "summaries.erasure", "summaries.charts", "matplotlib")
    found = [
        f"{path.relative_to(ROOT)}: {module}"
        for path, module in imports("retention")
        if module.startswith(rendering)
    ]
    assert found == []


def test_expiry_loads_no_rendering() -> None:
    """What the retention DAG's expiry runs, with every module it imports on the way."""
    code = (
        "import sys, retention.expiry, retention.requests, summaries.archive; "
        "print(sorted(m for m in sys.modules if m.startswith(('summaries.render', 'matplotlib'))))"
    )
    found = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert found.stdout.strip() == "[]"


def test_no_two_folders_import_each_other() -> None:
    graph = edges()
    both = {
        frozenset({a, b}) for a, targets in graph.items() for b in targets if a in graph.get(b, ())
    }
    assert both - KNOWN_CYCLES == set()
