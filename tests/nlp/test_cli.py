import json
from pathlib import Path

from typer.testing import CliRunner, Result

from nlp.cli import app

from .conftest import DATA

runner = CliRunner()


def test_tag_skips_malformed_lines_and_tags_the_others(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        '{"id": "1", "text": "Le wifi de la BU est HS"}\n'
        "{not json\n"
        '{"id": "3"}\n'
        '{"id": "4", "text": "The library is lovely"}\n',
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    result = runner.invoke(
        app, ["tag", str(source), "--profile", str(DATA / "nlp_profile.yml"), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert ":2:" in result.output and ":3:" in result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["1", "4"]
    assert rows[0]["topics"] == ["wifi"] and rows[0]["complaint"] is True
    assert rows[0]["evidence"]["wifi"][0]["text"] == "wifi"
    assert {"lang", "relevant", "sentiment", "sentiment_score", "branch", "text_redacted"} <= set(
        rows[0]
    )


def _eval(*options: str) -> Result:
    data, profile = DATA / "nlp_heldout.jsonl", DATA / "nlp_profile.yml"
    return runner.invoke(app, ["eval", str(data), "--profile", str(profile), *options])


def test_eval_prints_json_scores() -> None:
    result = _eval("--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout[result.stdout.index("{") :])
    assert 0.0 <= payload["topics micro-F1"] <= 1.0
    assert "per_topic_f1" in payload


def test_eval_refuses_a_single_fold() -> None:
    result = _eval("--cv", "1")
    assert result.exit_code == 2
    assert "at least 2 folds" in result.output


def test_eval_refuses_an_unknown_kind_of_set() -> None:
    result = _eval("--cv", "3", "--kind", "imaginary")
    assert result.exit_code == 2
    assert "--kind must be real or synthetic" in result.output
