"""A weekly summary says when the tagging model changed during its weeks (real Elasticsearch)."""

import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from config.profile import load_profile
from summaries.compute import compute_summary, model_name
from summaries.render import render_report
from summaries.weeks import Week
from tests.summaries.seed import drop_mention_indices, index_mentions, mention, write_profile

pytestmark = pytest.mark.integration

WEEK = Week.parse("2037-W20")
OLD = "murmure-0.1.0+fr_core_news_sm-3.8.0+linear-aaaaaaaaaa+0123456789"
NEW = "murmure-0.1.0+fr_core_news_sm-3.8.0+linear-bbbbbbbbbb+9876543210"
OTHER_PROFILE = "murmure-0.1.0+fr_core_news_sm-3.8.0+linear-bbbbbbbbbb+5555555555"


def test_model_name_is_read_from_the_pipeline_version() -> None:
    assert model_name(NEW) == "linear-bbbbbbbbbb"
    assert model_name(OTHER_PROFILE) == "linear-bbbbbbbbbb"
    rules_only = "murmure-0.1.0+fr_core_news_sm-3.8.0+0123456789"
    assert model_name(rules_only) == rules_only


def test_a_summary_notes_a_model_change_in_its_weeks(es: Elasticsearch, tmp_path: Path) -> None:
    drop_mention_indices(es, WEEK.year)
    profile = load_profile(write_profile(tmp_path, f"test-{uuid.uuid4().hex[:8]}"))
    start, _ = WEEK.window(profile.library.timezone)
    posts = [
        (start - timedelta(weeks=2, hours=-10), OLD),
        (start - timedelta(weeks=1, hours=-10), OLD),
        (start + timedelta(hours=10), NEW),
        (start + timedelta(hours=20), OTHER_PROFILE),
    ]
    index_mentions(
        es,
        [
            mention("Wifi en panne à la centrale", at).model_copy(update={"pipeline_version": v})
            for at, v in posts
        ],
    )
    summary = compute_summary(es, profile, WEEK)
    assert [use.model for use in summary.models] == ["linear-aaaaaaaaaa", "linear-bbbbbbbbbb"]
    assert [use.mentions for use in summary.models] == [2, 2]
    assert summary.models[1].first == posts[2][0]
    report = render_report(summary, profile)
    assert "Le modèle d'étiquetage a changé" in report.text
    assert "linear-bbbbbbbbbb" in report.html_file

    unchanged = compute_summary(es, profile, WEEK.shift(30))  # trend weeks after all of them
    assert len(unchanged.models) <= 1
    assert "Le modèle d'étiquetage a changé" not in render_report(unchanged, profile).text
