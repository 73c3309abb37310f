"""`murmure alerts test-rule` reads only the mentions a rule's tags may match, page by page, and
raises exactly what the rule raises when it is fed every mention of the period.

Seeded in 2035, a year no other test uses.
"""

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch
from typer.testing import CliRunner

from alerts.facts import Facts
from alerts.filters import matches
from alerts.replay import filter_query, indexed_mentions, replay_rule, warm_up_start
from config.profile import load_profile
from indexer.queries import first_created
from murmure.cli import app
from schemas import EnrichedMention
from schemas.alert import Alert
from tests.summaries.seed import SAMPLE_PROFILE, drop_mention_indices, index_mentions, mention

pytestmark = pytest.mark.integration

START = datetime(2035, 3, 1, tzinfo=UTC)
END = START + timedelta(days=24)
BRANCHES = ["centrale", "lanvern", "stang", None]


def _corpus() -> list[EnrichedMention]:
    rng = random.Random(35)
    mentions = [mention("Bonne journée à tous", START + timedelta(hours=1))]  # matches no rule
    for day in range(24):
        burst = 120 if day == 20 else 0
        for _ in range(rng.randint(8, 20) + burst):
            at = START + timedelta(days=day, seconds=rng.randrange(86_400))
            topic = rng.choice(["wifi", "temperature", "noise"])
            mentions.append(
                mention(
                    f"Encore un souci de {topic} aujourd'hui",
                    at,
                    topics=(topic,),
                    complaint=day >= 6 and rng.random() < 0.6,  # a quiet start
                    branch=rng.choice(BRANCHES),
                    institution=rng.random() < 0.05,
                )
            )
    return mentions


@pytest.fixture(scope="module")
def corpus(es: Elasticsearch) -> list[EnrichedMention]:
    drop_mention_indices(es, 2035)
    mentions = _corpus()
    index_mentions(es, mentions)
    return mentions


def _comparable(notices: list[Alert]) -> list[dict[str, object]]:
    return [notice.model_dump(exclude={"emitted_at"}) for notice in notices]


@pytest.mark.parametrize("rule_id", ["pic-de-plaintes", "wifi-panne", "chauffage-centrale"])
def test_reading_only_what_may_match_raises_the_same_notices(
    es: Elasticsearch, corpus: list[EnrichedMention], rule_id: str
) -> None:
    profile = load_profile(SAMPLE_PROFILE)
    rule = profile.alerts.rule(rule_id)
    assert rule is not None
    since = START + timedelta(days=16)
    warm_up = warm_up_start(profile, rule_id, since)
    every = sorted(
        (Facts.of(m) for m in corpus if warm_up <= m.created_at < END),
        key=lambda facts: (facts.created_at, facts.id),
    )
    expected = replay_rule(profile, rule_id, iter(every), since=since, until=END)
    read = [
        Facts.of_document(doc)
        for doc in indexed_mentions(es, warm_up, END, filter_query(rule.filter))
    ]
    assert {f.id for f in read} >= {f.id for f in every if matches(rule.filter, f)}
    assert len(read) < len(every)
    got = replay_rule(
        profile,
        rule_id,
        iter(read),
        since=since,
        until=END,
        first_seen=first_created(es, warm_up, END),
    )
    assert _comparable(got) == _comparable(expected)
    if rule_id == "pic-de-plaintes":
        assert [notice.status for notice in got][:1] == ["open"]


def test_command_shows_the_alerts_of_the_period(
    es: Elasticsearch, corpus: list[EnrichedMention], tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        app,
        [
            "alerts",
            "test-rule",
            "pic-de-plaintes",
            "--profile",
            str(SAMPLE_PROFILE),
            "--since",
            "8d",
            "--until",
            END.isoformat(),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "1 alert(s) would have been raised" in result.output
