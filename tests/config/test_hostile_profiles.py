"""Profiles one line away from an outage: markup-like keys, regular expressions that backtrack
forever or that the safe engine cannot run, and files too large to parse."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from config.profile import ProfileError, load_profile
from config.settings import get_settings
from murmure.cli import app
from tests.config.test_profile import BASE, problems, write

RULE = BASE["alerts"]["rules"][0]
# Backtracking engines take about 2^n steps on n letters a before a mismatch: hours here.
CATASTROPHIC = "(a+)+$"
HOSTILE_POST = "a" * 40 + "!"


def _with_rule_regex(pattern: str) -> dict[str, object]:
    rule = RULE | {"filter": RULE["filter"] | {"regex": pattern}}
    return BASE | {"alerts": BASE["alerts"] | {"rules": [rule]}}


def _with_topic_terms(*terms: str) -> dict[str, object]:
    return BASE | {"topics": {"terms": {"wifi": {"fr": ["wifi-campus", *terms]}}}}


def test_profile_check_prints_keys_and_messages_as_text(tmp_path: Path) -> None:
    data = BASE | {"[/oops]": 1, "[bold]x": 2}
    result = CliRunner().invoke(app, ["profile", "check", str(write(tmp_path, data))])
    assert result.exit_code == 1, result.output
    assert "[/oops]" in result.output and "[bold]x" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("pattern", "why"),
    [
        (r"(?<=wifi )HS", "look"),  # look-behind
        (r"(panne)\s+\1", "\\1"),  # back-reference
        (r"(?=wifi)wi", "look"),  # look-ahead
        (r"(unclosed", "missing )"),
    ],
)
def test_rule_patterns_the_safe_engine_cannot_run_are_refused(
    tmp_path: Path, pattern: str, why: str
) -> None:
    found = dict(problems(tmp_path, _with_rule_regex(pattern)))
    assert "alerts.rules.0.filter.regex" in found, found
    assert why in found["alerts.rules.0.filter.regex"]


def test_topic_patterns_the_safe_engine_cannot_run_are_refused(tmp_path: Path) -> None:
    data = _with_topic_terms("re:(?<!sans )wifi", "re:ok|fine")
    data["topics"]["extra"] = [  # type: ignore[index]
        {"id": "theses", "fr": ["thèse*"], "en": [r"re:(thesis)\s+\1"]}
    ]
    found = dict(problems(tmp_path, data))
    assert set(found) == {"topics.terms.wifi.fr.1", "topics.extra.0.en.0"}, found
    assert "look" in found["topics.terms.wifi.fr.1"]


def test_a_catastrophic_pattern_passes_the_check_and_runs_in_linear_time(
    tmp_path: Path,
) -> None:
    """RE2 runs `(a+)+$` in time linear in the post: `profile check` may accept it."""
    profile = write(
        tmp_path, _with_rule_regex(CATASTROPHIC) | _with_topic_terms(f"re:{CATASTROPHIC}")
    )
    load_profile(profile)
    posts = tmp_path / "posts.jsonl"
    texts = [HOSTILE_POST, "aaaa", "Le wifi-campus est coupé"]
    posts.write_text(
        "".join(json.dumps({"id": f"x:{n}", "text": t}) + "\n" for n, t in enumerate(texts)),
        encoding="utf-8",
    )
    out = tmp_path / "tagged.jsonl"
    command = ["nlp", "tag", str(posts), "--profile", str(profile), "--out", str(out)]
    tagged = subprocess.run(
        [sys.executable, "-m", "murmure", *command],
        capture_output=True,
        text=True,
        timeout=300,  # a hang, not a speed limit: backtracking would take hours
        check=False,
    )
    assert tagged.returncode == 0, tagged.stderr[-2000:]
    topics = [json.loads(line)["topics"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert ["wifi" in found for found in topics] == [False, True, True]


def test_a_catastrophic_rule_regex_does_not_hang_the_rule_filter() -> None:
    script = (
        "from alerts.filters import matches\n"
        "from config.rules import RuleFilter\n"
        "from tests.alerts.streams import T0, fact\n"
        f"rule = RuleFilter(regex={CATASTROPHIC!r})\n"
        f"print(matches(rule, fact(1, T0, text={HOSTILE_POST!r})),"
        f" matches(rule, fact(2, T0, text='panne aaaa')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,  # a hang, not a speed limit: backtracking would take hours
        check=False,
        cwd=Path(__file__).parents[2],
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["False", "True"]


def test_an_oversized_profile_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    limit = get_settings().profile_max_bytes
    assert 64 * 1024 <= limit <= 16 * 1024 * 1024
    path = write(tmp_path, BASE)
    text = path.read_text(encoding="utf-8")
    padding = "# " + "x" * 98 + "\n"
    path.write_text(text + padding * (limit // len(padding) + 1), encoding="utf-8")
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    ((where, message),) = caught.value.problems
    assert where == "(file)" and "larger than" in message and str(limit) in message
    result = CliRunner().invoke(app, ["profile", "check", str(path)])
    assert result.exit_code == 1 and "larger than" in result.output
