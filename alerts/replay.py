"""`murmure alerts test-rule`: indexed mentions replayed through one rule, to tune it before
enabling it. The same engine as the worker; nothing is produced, indexed or sent."""

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from elasticsearch import Elasticsearch

from alerts.conditions import horizon
from alerts.engine import Engine
from alerts.facts import Facts
from config.profile import Profile
from indexer.queries import mentions_between
from schemas.alert import Alert

_FIELDS = [
    "id",
    "created_at",
    "topics",
    "sentiment",
    "complaint",
    "branch",
    "source",
    "lang",
    "text",
    "url",
    "author.institution",
]


def indexed_mentions(es: Elasticsearch, start: datetime, end: datetime) -> Iterator[dict[str, Any]]:
    """Mentions created in [start, end), oldest first, with the fields the rules look at."""
    return mentions_between(es, start, end, fields=_FIELDS)


def replay_rule(
    profile: Profile,
    rule_id: str,
    mentions: Iterator[Facts] | list[Facts],
    *,
    since: datetime,
    until: datetime,
    index_pattern: str = "murmure-mentions",
    progress: Callable[[], None] | None = None,
) -> list[Alert]:
    """Notices the rule raises for mentions in [since, until); earlier mentions only warm up
    its windows and baseline. A disabled rule can be tested too."""
    rule = profile.alerts.rule(rule_id)
    if rule is None:
        known = ", ".join(r.id for r in profile.alerts.rules) or "none"
        raise KeyError(f"no rule {rule_id!r} in the profile (rules: {known})")
    engine = Engine(
        profile.alerts,
        library_id=profile.library.id,
        timezone=profile.library.timezone,
        index_pattern=index_pattern,
        rules=[rule],
    )
    notices: list[Alert] = []
    for facts in mentions:
        raised = engine.process(facts)
        if facts.created_at >= since:
            notices.extend(raised)
        if progress is not None:
            progress()
    notices.extend(engine.advance(until))  # episodes over by `until` are shown resolved
    return notices


def warm_up_start(profile: Profile, rule_id: str, since: datetime) -> datetime:
    rule = profile.alerts.rule(rule_id)
    return since - horizon(rule.condition) if rule is not None else since
