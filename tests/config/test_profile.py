"""Profile validation: every problem is reported with its field path and a readable message."""

from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from config.profile import ProfileError, load_profile
from murmure.cli import app

DEV_PROFILE = Path(__file__).parents[2].parent / "shared" / "eval" / "dev-profile.yml"
# The evaluation set lives beside the repository in CI, not in a plain clone.
needs_dev_profile = pytest.mark.skipif(
    not DEV_PROFILE.is_file(), reason=f"no evaluation profile at {DEV_PROFILE}"
)

BASE: dict[str, Any] = {
    "library": {"id": "bu-nord", "name": "BU du Nord", "languages": ["fr", "en"]},
    "branches": [
        {"id": "pont-de-bois", "name": "BU Pont-de-Bois", "aliases": ["Pont de Bois"]},
        {"id": "lilliad", "name": "Lilliad", "aliases": []},
    ],
    "area": {"places": ["Villeneuve-d'Ascq"]},
    "accounts": [{"source": "mastodon", "handle": "@bu_nord@mastodon.example"}],
    "sources": [{"id": "rss-presse", "type": "rss", "feeds": ["https://news.example/feed.xml"]}],
    "alerts": {
        "channels": [{"id": "accueil", "type": "email", "to": ["accueil@bu.example"]}],
        "rules": [
            {
                "id": "wifi-panne",
                "filter": {"topics_any": ["wifi"], "complaint": True, "branches": ["lilliad"]},
                "condition": {"type": "count", "min_count": 3, "window": "2h"},
                "channels": ["accueil"],
            }
        ],
    },
    "summaries": {"recipients": ["direction@bu.example"]},
    "retention_days": 180,
}


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "profile.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def problems(tmp_path: Path, data: object) -> list[tuple[str, str]]:
    with pytest.raises(ProfileError) as caught:
        load_profile(write(tmp_path, data))
    return caught.value.problems


@needs_dev_profile
def test_the_evaluation_profile_loads_as_is() -> None:
    profile = load_profile(DEV_PROFILE)
    assert profile.library.id == "brest-mediatheques"
    assert [branch.id for branch in profile.branches][:2] == ["capucins", "bellevue"]
    assert "Lambé" in profile.branches[2].aliases


def test_a_complete_profile_loads(tmp_path: Path) -> None:
    profile = load_profile(write(tmp_path, BASE))
    assert profile.retention_days == 180
    assert profile.is_own_account("mastodon", "BU_Nord@mastodon.example")
    assert not profile.is_own_account("x", "bu_nord@mastodon.example")


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "profile.yml"
    path.write_text("library:\n  id: x\n   name: [oops\n", encoding="utf-8")
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    where, message = caught.value.problems[0]
    assert where.startswith("line ")
    assert "not valid YAML" in message


def test_missing_fields_and_wrong_types_each_get_a_path(tmp_path: Path) -> None:
    data = BASE | {"library": {"id": "bu-nord"}, "retention_days": "a year"}
    found = dict(problems(tmp_path, data))
    assert found["library.name"] == "Field required"
    assert "valid integer" in found["retention_days"]


def test_unknown_branch_topic_and_channel_in_a_rule(tmp_path: Path) -> None:
    rule = BASE["alerts"]["rules"][0] | {
        "filter": {"topics_any": ["wiifi"], "branches": ["cite-scientifique"]},
        "channels": ["nowhere"],
    }
    data = BASE | {"alerts": BASE["alerts"] | {"rules": [rule]}}
    found = problems(tmp_path, data)
    assert ("alerts.rules.0.filter.topics_any", "unknown topic 'wiifi'") in found
    assert (
        "alerts.rules.0.filter.branches",
        "unknown branch 'cite-scientifique' (known: lilliad, pont-de-bois)",
    ) in found
    assert ("alerts.rules.0.channels", "unknown channel 'nowhere'") in found


def test_every_field_error_is_reported_not_only_the_first(tmp_path: Path) -> None:
    data = BASE | {
        "branches": [{"id": "Pont de Bois", "name": ""}],
        "summaries": {"recipients": ["not-an-address"]},
        "colour": "blue",
    }
    where = {path for path, _ in problems(tmp_path, data)}
    assert {"branches.0.id", "branches.0.name", "summaries.recipients.0", "colour"} <= where


def test_duplicate_branch_ids_are_refused(tmp_path: Path) -> None:
    branch = BASE["branches"][0]
    found = problems(tmp_path, BASE | {"branches": [branch, branch]})
    assert any("duplicate id 'pont-de-bois'" in message for _, message in found)


def test_a_source_of_unknown_type_names_the_allowed_ones(tmp_path: Path) -> None:
    data = BASE | {"sources": [{"id": "tt", "type": "tiktok"}]}
    ((where, message),) = problems(tmp_path, data)
    assert where == "sources.0"
    assert "'mastodon'" in message and "'rss'" in message


def test_secrets_are_refused_and_never_echoed(tmp_path: Path) -> None:
    token = "AAAAsecret-bearer-value-123"
    data = BASE | {"sources": [{"id": "x", "type": "x", "bearer_token": token}]}
    found = problems(tmp_path, data)
    text = repr(found)
    assert "environment" in text
    assert token not in text


def test_cli_check_prints_each_problem_and_fails(tmp_path: Path) -> None:
    data = BASE | {"library": {"id": "bu-nord"}, "retention_days": 0}
    result = CliRunner().invoke(app, ["profile", "check", str(write(tmp_path, data))])
    assert result.exit_code == 1
    assert "library.name" in result.output
    assert "retention_days" in result.output


@needs_dev_profile
def test_cli_check_accepts_the_evaluation_profile() -> None:
    result = CliRunner().invoke(app, ["profile", "check", str(DEV_PROFILE)])
    assert result.exit_code == 0, result.output
    assert "6 branches" in result.output
