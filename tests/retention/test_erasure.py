"""Erasure against the real Elasticsearch: a person's or a post's data goes, nothing else."""

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch
from typer.testing import CliRunner

from alerts.index import ensure_alerts_index
from config.profile import load_profile
from indexer.layout import layout
from listeners.pseudonym import load_key, pseudonymise
from murmure.cli import app
from retention.erasure import ErasureTarget, forget
from retention.requests import process_requests, request_erasure
from schemas.alert import Alert, AlertMention
from summaries.archive import index_summary, save_files
from summaries.compute import compute_summary
from summaries.erasure import scrub_summaries
from summaries.render import render_report
from summaries.weeks import Week
from tests.summaries.seed import drop_mention_indices, index_mentions, mention, write_profile

MONTHLY = layout().mentions.index_prefix  # monthly mention indices: MONTHLY + "YYYY.MM"

pytestmark = pytest.mark.integration

WEEK = Week.parse("2033-W10")


def _at(day: int, hour: int) -> datetime:
    start, _ = WEEK.window("Europe/Paris")
    return start + timedelta(days=day, hours=hour)


def _pseudonym() -> str:
    return "p_" + uuid.uuid4().hex[:24]


def _ids(es: Elasticsearch, ids: list[str]) -> set[str]:
    found = es.search(index=layout().mentions.alias, query={"ids": {"values": ids}}, size=100)
    return {hit["_id"] for hit in found["hits"]["hits"]}


@pytest.fixture(scope="module")
def world(es: Elasticsearch, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    drop_mention_indices(es, 2033)
    directory = tmp_path_factory.mktemp("erasure")
    profile = load_profile(write_profile(directory, f"test-{uuid.uuid4().hex[:8]}"))
    person, other = _pseudonym(), _pseudonym()
    theirs = [
        mention(
            "Radiateurs éteints à la centrale, glacial",
            _at(1, 10),
            topics=("temperature",),
            complaint=True,
            pseudonym=person,
        ),
        mention(
            "Encore froid aujourd'hui, mains gelées en salle",
            _at(2, 10),
            topics=("temperature",),
            complaint=True,
            pseudonym=person,
        ),
    ]
    others = [
        mention(
            "Chauffage coupé, on travaille en manteau",
            _at(3, 10),
            topics=("temperature",),
            complaint=True,
            pseudonym=other,
        ),
        mention(
            "Super exposition à Lanvern",
            _at(3, 12),
            topics=("events",),
            sentiment="positive",
            pseudonym=other,
        ),
    ]
    index_mentions(es, theirs + others)
    alerts = ensure_alerts_index(es)
    alert = Alert(
        id=f"erasure-test:{uuid.uuid4().hex[:8]}",
        rule_id="temperature",
        status="open",
        severity="warning",
        window_start=_at(1, 0),
        window_end=_at(3, 12),
        count=3,
        raised_at=_at(3, 10),
        mentions=[
            AlertMention(id=m.id, text_redacted=m.text_redacted, created_at=m.created_at)
            for m in (theirs[0], others[0])
        ],
    )
    es.index(index=alerts, id=alert.id, document=alert.model_dump(mode="json"), refresh=True)
    summary = compute_summary(es, profile, WEEK)
    report = render_report(summary, profile)
    path = save_files(report, directory / "report.html")
    summary_id = index_summary(es, summary, report, path)
    quoted = {post.id for topic in summary.topics for post in topic.examples}
    assert quoted == {m.id for m in theirs + others[:1]}  # the setting under test
    return {
        "profile": profile,
        "person": person,
        "theirs": theirs,
        "others": others,
        "alert": alert.id,
        "summary": summary_id,
        "path": path,
    }


def test_forget_an_author_everywhere(es: Elasticsearch, world: dict[str, object]) -> None:
    theirs, others = world["theirs"], world["others"]
    assert isinstance(theirs, list) and isinstance(others, list)
    report = forget(
        es,
        ErasureTarget("author", str(world["person"])),
        profile=world["profile"],  # type: ignore[arg-type]
        rewrite_summaries=scrub_summaries,
    )

    assert sorted(report.mention_ids) == sorted(m.id for m in theirs)
    assert report.documents_deleted == {f"{MONTHLY}2033.03": 2}
    assert _ids(es, [m.id for m in theirs + others]) == {m.id for m in others}
    quoted = es.get(index=layout().alerts.alias, id=str(world["alert"]))["_source"]["mentions"]
    assert [post["id"] for post in quoted] == [others[0].id]
    stored = es.get(index=layout().summaries.alias, id=str(world["summary"]))["_source"]
    examples = [post["id"] for topic in stored["summary"]["topics"] for post in topic["examples"]]
    assert examples == [others[0].id]
    saved = Path(str(world["path"])).read_text(encoding="utf-8")
    for erased in theirs:
        assert erased.text_redacted not in stored["html"]
        assert erased.text_redacted not in stored["text"]
        assert erased.text_redacted not in saved
    assert others[0].text_redacted in saved
    assert report.documents_updated == {"alerts": 1, "summaries": 1}


def test_forget_a_handle_from_the_command_line(es: Elasticsearch, tmp_path: Path) -> None:
    handle = f"@someone{uuid.uuid4().hex[:6]}@mastodon.example"
    pseudonym = pseudonymise(load_key(), "mastodon", handle)
    theirs = mention("Le wifi rame à Lanvern", _at(4, 9), topics=("wifi",), pseudonym=pseudonym)
    kept = mention(
        "Le wifi rame aussi chez moi", _at(4, 9), topics=("wifi",), pseudonym=_pseudonym()
    )
    index_mentions(es, [theirs, kept])
    profile = write_profile(tmp_path, "test-forget")
    result = CliRunner().invoke(
        app, ["forget", "--handle", handle, "--source", "mastodon", "--profile", str(profile)]
    )
    assert result.exit_code == 0, result.output
    assert f"{MONTHLY}2033.03" in result.output
    assert _ids(es, [theirs.id, kept.id]) == {kept.id}
    refused = CliRunner().invoke(app, ["forget", "--handle", handle, "--profile", str(profile)])
    assert refused.exit_code != 0 and "--source" in refused.output


def test_queued_requests_are_processed_by_the_retention_run(
    es: Elasticsearch, tmp_path: Path
) -> None:
    post = mention("Les toilettes sont sales", _at(5, 9), topics=("cleanliness",))
    kept = mention("Les toilettes sont propres", _at(5, 9), topics=("cleanliness",))
    index_mentions(es, [post, kept])
    request_id = request_erasure(es, ErasureTarget("mention", post.id), now=datetime.now(UTC))
    assert _ids(es, [post.id]) == {post.id}  # queued, not yet done

    run = process_requests(
        es, load_profile(write_profile(tmp_path, "test-queue")), rewrite_summaries=scrub_summaries
    )
    reports = run.done
    assert run.failed == {}

    assert [r.target.value for r in reports if r.target.kind == "mention"] == [post.id]
    assert _ids(es, [post.id, kept.id]) == {kept.id}
    stored = es.get(index=layout().erasure_requests, id=request_id)["_source"]
    assert stored["status"] == "done" and stored["report"]["deleted"] == {f"{MONTHLY}2033.03": 1}
    assert (
        process_requests(
            es,
            load_profile(write_profile(tmp_path, "test-queue")),
            rewrite_summaries=scrub_summaries,
        ).done
        == []
    )
