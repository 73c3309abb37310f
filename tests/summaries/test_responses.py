"""The weekly summary says how the library answered: share answered and median delay of the
questions and complaints, week by week, and the posts still waiting for more than 48 hours.
Seeded in 2039, a year no other test uses."""

from datetime import timedelta

import pytest
from elasticsearch import Elasticsearch

from config.profile import load_profile
from indexer.layout import layout
from schemas import EnrichedMention
from summaries.compute import compute_summary
from summaries.render import render_report
from summaries.weeks import Week
from tests.summaries.seed import SAMPLE_PROFILE, drop_mention_indices, index_mentions, mention

pytestmark = pytest.mark.integration

WEEK = Week.parse("2039-W20")
TIMEZONE = "Europe/Paris"


def _post(
    week: Week, hours: float, text: str, *, question: bool = False, **kw: object
) -> EnrichedMention:
    start, _ = week.window(TIMEZONE)
    made = mention(text, start + timedelta(hours=hours), **kw)  # type: ignore[arg-type]
    return made.model_copy(update={"question": question})


def _answer(es: Elasticsearch, post: EnrichedMention, after: timedelta) -> None:
    es.update(
        index=layout().mentions.index_for(post.created_at),
        id=post.id,
        doc={
            "answered_at": (post.created_at + after).isoformat(),
            "answered_by": "mediatheques",
            "answer_delay_s": int(after.total_seconds()),
        },
    )


def test_share_answered_median_delay_and_what_waits(es: Elasticsearch) -> None:
    drop_mention_indices(es, 2039)
    before = WEEK.shift(-1)
    asked = [_post(WEEK, 10 + n, f"Question {n} ?", question=True) for n in range(4)]
    complaints = [_post(WEEK, 30 + n, f"Panne {n}", complaint=True) for n in range(2)]
    late = _post(WEEK, 24 * 6 + 12, "Ouvert demain ?", question=True)  # Sunday: not 48 h yet
    earlier = [_post(before, 20 + n, f"Avant {n} ?", question=True) for n in range(2)]
    library = _post(WEEK, 11, "Bonjour, oui !", institution=True, question=True)
    index_mentions(es, [*asked, *complaints, late, *earlier, library])
    _answer(es, asked[0], timedelta(hours=1))
    _answer(es, asked[1], timedelta(hours=3))
    _answer(es, complaints[0], timedelta(hours=24))
    _answer(es, earlier[0], timedelta(hours=2))
    es.indices.refresh(index=layout().mentions.alias)

    profile = load_profile(SAMPLE_PROFILE)
    _, end = WEEK.window(TIMEZONE)
    summary = compute_summary(es, profile, WEEK, now=lambda: end + timedelta(days=3))
    rows = {(row.week, row.kind): row for row in summary.responses}
    this_week = rows[(str(WEEK), "question")]
    assert (this_week.posts, this_week.answered, this_week.median_delay_s) == (5, 2, 7200)
    complaint = rows[(str(WEEK), "complaint")]
    assert (complaint.posts, complaint.answered, complaint.median_delay_s) == (2, 1, 86400)
    previous = rows[(str(before), "question")]
    assert (previous.posts, previous.answered, previous.median_delay_s) == (2, 1, 7200)
    assert len(summary.responses) == 2 * len(summary.trend_weeks)

    assert [post.id for post in summary.waiting] == [
        earlier[1].id,
        asked[2].id,
        asked[3].id,
        complaints[1].id,
    ]
    assert summary.waiting_total == 4
    assert summary.waiting[0].url == earlier[1].url

    report = render_report(summary, profile)
    assert "2/5 répondues (40 %), délai médian 2.0 h" in report.text
    assert "Avant 1 ?" in report.text and "Ouvert demain ?" not in report.text
    assert earlier[1].url is not None and earlier[1].url in report.html_file
