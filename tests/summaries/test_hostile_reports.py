"""Reports quote untrusted posts: markup is escaped, links other than web links are not rendered,
control bytes do not reach the HTML, and erasure rewrites every copy of a report that quoted an
erased post."""

import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch
from typer.testing import CliRunner

from config.profile import load_profile
from murmure.cli import app
from schemas.alert import AlertMention
from schemas.summary import OwnPost, TopicTrend, WeeklySummary
from summaries.render import render_report
from summaries.weeks import Week
from tests.summaries.seed import SAMPLE_PROFILE, index_mentions, mention, write_profile

SCRIPT = "javascript:alert(document.cookie)"


def _summary(url: str = SCRIPT, text: str = "Le wifi\x00 est HS\x00") -> WeeklySummary:
    """A summary as an older document could hold it: built without the contract's checks."""
    week = Week.parse("2036-W20")
    start, end = week.window("Europe/Paris")
    example = AlertMention.model_construct(
        id="x:1",
        text_redacted=text,
        created_at=start + timedelta(hours=30),
        url=url,
        source="x",
    )
    topic = TopicTrend(
        topic="wifi",
        count=3,
        negative=3,
        complaints=3,
        negative_share=1.0,
        previous_count=0,
        previous_negative=0,
        average_count=0.0,
        average_negative=0.0,
        deterioration=3.0,
    ).model_copy(update={"examples": [example]})
    own = OwnPost.model_construct(
        id="mastodon:9",
        source="mastodon",
        url="JaVaScRiPt:alert(2)",
        text="Atelier\x00 demain",
        created_at=start + timedelta(hours=40),
        likes=1,
        shares=0,
        replies=0,
    )
    return WeeklySummary(
        library_id="kerbrient",
        week=str(week),
        week_start=start,
        week_end=end,
        mentions=3,
        relevant=3,
        complaints=3,
        generated_at=end,
    ).model_copy(update={"topics": [topic], "own_posts": [own]})


def test_reports_render_only_web_links_and_no_control_characters() -> None:
    report = render_report(_summary(), load_profile(SAMPLE_PROFILE))
    for html in (report.html_file, report.html_email):
        assert "javascript:" not in html.lower()
        assert "\x00" not in html
        assert "Le wifi est HS" in html
    assert "\x00" not in report.text
    safe = render_report(_summary(url="https://x.com/a/status/1"), load_profile(SAMPLE_PROFILE))
    assert 'href="https://x.com/a/status/1"' in safe.html_file


def test_markup_in_a_post_is_shown_as_text() -> None:
    hostile = "<script>alert('pwn')</script> froid & humide"
    report = render_report(_summary(text=hostile), load_profile(SAMPLE_PROFILE))
    for html in (report.html_file, report.html_email):
        assert "<script>" not in html
        assert "&lt;script&gt;alert(&#39;pwn&#39;)&lt;/script&gt; froid &amp; humide" in html
    assert hostile in report.text  # the plain-text part is not HTML: nothing to escape


def test_links_read_back_from_stored_documents_are_dropped_not_refused() -> None:
    stored = {
        "id": "x:1",
        "text_redacted": "t",
        "created_at": "2036-05-12T10:00:00Z",
        "url": SCRIPT,
    }
    assert AlertMention.model_validate(stored).url is None


@pytest.mark.integration
def test_erasure_rewrites_every_copy_of_the_week_report(
    es: Elasticsearch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    week = Week.parse("2038-W07")
    start, _ = week.window("Europe/Paris")
    erased, kept = (
        mention(
            text,
            start + timedelta(days=1, hours=hour),
            topics=("temperature",),
            complaint=True,
            pseudonym="p_" + uuid.uuid4().hex[:24],
        )
        for hour, text in (
            (9, "Radiateurs éteints, salle glaciale ce matin"),
            (11, "Toujours froid en salle de lecture"),
        )
    )
    index_mentions(es, [erased, kept])
    profile = write_profile(tmp_path, f"test-{uuid.uuid4().hex[:8]}")
    monkeypatch.setenv("MURMURE_REPORTS_DIR", str(tmp_path / "reports"))
    runner = CliRunner()
    copies = [tmp_path / "first.html", tmp_path / "elsewhere" / "second.html", None]
    for out in copies:
        extra = ["--out", str(out)] if out else []
        made = runner.invoke(
            app, ["summary", "--week", str(week), "--profile", str(profile), *extra]
        )
        assert made.exit_code == 0, made.output
    written = [path for path in copies if path] + sorted((tmp_path / "reports").rglob("*.html"))
    assert len(written) == 3
    for path in written:
        assert erased.text_redacted in path.read_text(encoding="utf-8")

    forgot = runner.invoke(app, ["forget", "--mention", erased.id, "--profile", str(profile)])

    assert forgot.exit_code == 0, forgot.output
    for path in written:
        for copy in (path, path.with_suffix(".txt")):
            text = copy.read_text(encoding="utf-8")
            assert erased.text_redacted not in text, copy
            assert kept.text_redacted in text, copy
        assert str(path) in forgot.output.replace("\n", "")
