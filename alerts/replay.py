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
from config.rules import RuleFilter
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


def indexed_mentions(
    es: Elasticsearch, start: datetime, end: datetime, query: dict[str, Any] | None = None
) -> Iterator[dict[str, Any]]:
    """Mentions created in [start, end), oldest first, with the fields the rules look at."""
    return mentions_between(es, start, end, fields=_FIELDS, query=query, page=2000)


def filter_query(rule_filter: RuleFilter) -> dict[str, Any]:
    """The filter's criteria on tags as a query, so a replay reads only the mentions that may
    match; keywords and regex are still checked on each (`alerts.filters.matches`)."""
    wanted: list[dict[str, Any]] = []
    unwanted: list[dict[str, Any]] = []
    if not rule_filter.institutions:
        unwanted.append({"term": {"author.institution": True}})
    for field, values in (
        ("topics", rule_filter.topics_any),
        ("sentiment", rule_filter.sentiment),
        ("branch", rule_filter.branches),
        ("source", rule_filter.sources),
        ("lang", rule_filter.languages),
    ):
        if values:
            wanted.append({"terms": {field: list(values)}})
    wanted.extend({"term": {"topics": topic}} for topic in rule_filter.topics_all)
    if rule_filter.complaint is not None:
        wanted.append({"term": {"complaint": rule_filter.complaint}})
    if rule_filter.exclude_branches:
        unwanted.append({"terms": {"branch": list(rule_filter.exclude_branches)}})
    return {"bool": {"filter": wanted, "must_not": unwanted}}


def replay_rule(
    profile: Profile,
    rule_id: str,
    mentions: Iterator[Facts] | list[Facts],
    *,
    since: datetime,
    until: datetime,
    index_pattern: str = "murmure-mentions",
    progress: Callable[[Facts], None] | None = None,
    first_seen: datetime | None = None,
) -> list[Alert]:
    """Notices the rule raises for mentions in [since, until); earlier mentions only warm up
    its windows and baseline. A disabled rule can be tested too.

    `mentions` may be only those matching the rule's tags (`filter_query`): `first_seen`, the
    time of the first mention of the replay whatever it is about, then starts the history a
    spike's baseline counts, as the worker's would. Notices come in time order."""
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
    engine.meta = engine.meta.model_copy(update={"started_at": first_seen})
    notices: list[Alert] = []
    for facts in mentions:
        raised = engine.process(facts)
        if facts.created_at >= since:
            notices.extend(raised)
        if progress is not None:
            progress(facts)
    notices.extend(engine.advance(until))  # episodes over by `until` are shown resolved
    return sorted(notices, key=lambda notice: notice.updated_at or notice.raised_at)


def warm_up_start(profile: Profile, rule_id: str, since: datetime) -> datetime:
    rule = profile.alerts.rule(rule_id)
    return since - horizon(rule.condition) if rule is not None else since
