"""`.env.example` lists every variable the compose file reads, each with a comment."""

from tests.deploy.compose import ROOT, compose_variables, env_example

PACKAGES = ["config", "services", "listeners", "indexer", "alerts", "summaries", "kibana", "bus"]


def test_every_compose_variable_is_in_env_example_with_a_comment() -> None:
    entries = env_example()
    missing = compose_variables() - set(entries)
    assert not missing, f"add to .env.example: {sorted(missing)}"
    for name, (_, comments) in entries.items():
        assert comments, f"{name} has no comment in .env.example"


def test_every_env_example_entry_is_read_by_compose_or_murmure() -> None:
    code = "\n".join(
        path.read_text(encoding="utf-8")
        for package in PACKAGES
        for path in (ROOT / package).rglob("*")
        if path.suffix in {".py", ".yml"}
    )
    used = compose_variables() | {"COMPOSE_PROJECT_NAME"}  # read by Compose itself
    for name in env_example():
        assert name in used or name in code, f"{name} is read by nothing"
