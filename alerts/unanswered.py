"""Rules of kind `unanswered`: a reminder per patron's question or complaint that the library's
accounts have not answered in time, and its resolution once they have.

Answers are known from the index (the `index` worker links them, `indexer.answers`), so this runs
on the wall clock against Elasticsearch, not in the event-time rule engine. One reminder per
rule and post: its alert id names both, and an id already in the alerts index is not sent
again. A reminded post that gets its answer resolves its alert (sequence 1); nothing more is sent.
"""

import logging
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from elasticsearch import Elasticsearch, helpers
from kafka import KafkaProducer

from alerts.facts import Facts
from alerts.filters import matches
from alerts.index import index_alert
from bus.topics import topic
from config.profile import Profile, Weekday
from config.rules import UnansweredRule, parse_duration
from indexer.layout import layout
from schemas.alert import Alert

log = logging.getLogger(__name__)
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_DAYS = 400  # opening hours that never open would otherwise be searched for ever
Send = Callable[[Alert], None]


def due_at(
    posted: datetime,
    wait: timedelta,
    opening_hours: Mapping[Weekday, Sequence[str]] | None = None,
    timezone: str = "UTC",
) -> datetime:
    """When a post asked at `posted` has waited `wait`, counting only opening hours if given."""
    if not opening_hours:
        return posted + wait
    zone = ZoneInfo(timezone)
    left = wait
    local = posted.astimezone(zone)
    for offset in range(MAX_DAYS):
        day = local.date() + timedelta(days=offset)
        for span in sorted(opening_hours.get(WEEKDAYS[day.weekday()], [])):
            start, end = (
                datetime.combine(day, time.fromisoformat(part), zone) for part in span.split("-")
            )
            start = max(start, local)
            if end <= start:
                continue
            if end - start >= left:
                return (start + left).astimezone(posted.tzinfo)
            left -= end - start
    return datetime.max.replace(tzinfo=posted.tzinfo)


def check(
    es: Elasticsearch, profile: Profile, rule: UnansweredRule, *, now: datetime, send: Send
) -> list[Alert]:
    """Sends the reminders due at `now` and the resolutions of answered ones; returns them."""
    hours = profile.library.opening_hours if rule.opening_hours_only else None
    wait = parse_duration(rule.after)
    waiting = [
        document
        for document in _waiting(es, rule, now - parse_duration(rule.max_age), now - wait)
        if matches(rule.filter, Facts.of_document(document))
        and due_at(_time(document["created_at"]), wait, hours, profile.library.timezone) <= now
    ]
    known = _alerts(es, [_alert_id(rule, str(d["id"])) for d in waiting])
    notices = [
        _reminder(rule, profile, document, now)
        for document in waiting
        if _alert_id(rule, str(document["id"])) not in known
    ]
    notices += _resolutions(es, rule, profile, now)
    for notice in notices:
        send(notice)  # sent, then recorded: a crash in between sends it again, never loses it
        index_alert(es, notice)
    return notices


def _time(value: object) -> datetime:
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _alert_id(rule: UnansweredRule, mention_id: str) -> str:
    return f"{rule.id}|{mention_id}"


def replay(
    es: Elasticsearch, profile: Profile, rule: UnansweredRule, *, since: datetime, until: datetime
) -> list[Alert]:
    """What `rule` would have sent in [since, until) had it been checked all along, given the
    answers the index knows now: a reminder when a post fell due unanswered, its resolution when
    the answer came (also for a reminder due before `since`, of a post at most `max_age` older).
    Nothing is sent or recorded (`murmure alerts test-rule`)."""
    hours = profile.library.opening_hours if rule.opening_hours_only else None
    wait, max_age = parse_duration(rule.after), parse_duration(rule.max_age)
    notices = []
    for document in _waiting(es, rule, since - max_age, until, answered_too=True):
        if not matches(rule.filter, Facts.of_document(document)):
            continue
        posted = _time(document["created_at"])
        due = due_at(posted, wait, hours, profile.library.timezone)
        answered = _time(document["answered_at"]) if document.get("answered_at") else None
        if due >= until or due - posted > max_age or (answered and answered <= due):
            continue
        reminder = _reminder(rule, profile, document, due)
        notices.append(reminder)
        if answered is not None:
            update = {"status": "resolved", "sequence": 1, "updated_at": answered}
            notices.append(reminder.model_copy(update=update | {"resolved_at": answered}))
    return sorted(
        (notice for notice in notices if since <= (notice.updated_at or since) < until),
        key=lambda notice: notice.updated_at or notice.raised_at,
    )


def _waiting(
    es: Elasticsearch,
    rule: UnansweredRule,
    since: datetime,
    until: datetime,
    *,
    answered_too: bool = False,
) -> Iterator[dict[str, Any]]:
    """Patrons' unanswered questions and complaints (the rule's kinds) posted in [since, until];
    with `answered_too`, the answered ones as well."""
    kinds = [{"term": {kind: True}} for kind in rule.kinds]
    unwanted: list[dict[str, Any]] = [{"term": {"author.institution": True}}]
    if not answered_too:
        unwanted.append({"exists": {"field": "answered_at"}})
    query = {
        "bool": {
            "filter": [
                {"range": {"created_at": {"gte": since.isoformat(), "lte": until.isoformat()}}},
                {"bool": {"should": kinds, "minimum_should_match": 1}},
            ],
            "must_not": unwanted,
        }
    }
    body = {"query": query, "sort": [{"created_at": "asc"}]}
    alias = layout().mentions.alias
    if es.indices.exists_alias(name=alias):
        for hit in helpers.scan(es, query=body, index=alias, size=500, preserve_order=True):
            yield dict(hit["_source"])


def _alerts(es: Elasticsearch, ids: list[str]) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    found = es.mget(index=layout().alerts.alias, ids=ids)["docs"]
    return {str(doc["_id"]): dict(doc["_source"]) for doc in found if doc.get("found")}


def _reminder(
    rule: UnansweredRule, profile: Profile, document: dict[str, Any], now: datetime
) -> Alert:
    facts = Facts.of_document(document)
    return Alert(
        id=_alert_id(rule, facts.id),
        library_id=profile.library.id,
        rule_id=rule.id,
        description=rule.description,
        condition="unanswered",
        status="open",
        severity=rule.severity,
        branch=facts.branch,
        topic=facts.topics[0] if facts.topics else None,
        window_start=facts.created_at,
        window_end=now,
        count=1,
        total=1,
        mentions=[facts.sample()],
        trigger_mention_id=facts.id,
        raised_at=now,
        updated_at=now,
        channels=rule.channels,
    )


def _resolutions(
    es: Elasticsearch, rule: UnansweredRule, profile: Profile, now: datetime
) -> list[Alert]:
    """Open reminders of `rule` whose post has been answered since."""
    alias = layout().alerts.alias
    if not es.indices.exists_alias(name=alias):
        return []
    query = {"bool": {"filter": [{"term": {"rule_id": rule.id}}, {"term": {"status": "open"}}]}}
    if profile.library.id:
        query["bool"]["filter"].append({"term": {"library_id": profile.library.id}})
    es.indices.refresh(index=alias)
    reminders = [
        Alert.model_validate(hit["_source"])
        for hit in helpers.scan(es, query={"query": query}, index=alias, size=500)
    ]
    if not reminders:
        return []
    posts = {
        str(hit["_id"]): dict(hit["_source"])
        for hit in helpers.scan(
            es,
            query={"query": {"ids": {"values": [r.trigger_mention_id for r in reminders]}}},
            index=layout().mentions.alias,
            size=500,
        )
    }
    resolved = []
    for reminder in reminders:
        post = posts.get(str(reminder.trigger_mention_id))
        if post is None or not post.get("answered_at"):
            continue
        answered = _time(post["answered_at"])
        resolved.append(
            reminder.model_copy(
                update={
                    "status": "resolved",
                    "sequence": reminder.sequence + 1,
                    "updated_at": now,
                    "resolved_at": max(answered, reminder.raised_at),
                }
            )
        )
    return resolved


def check_all(es: Elasticsearch, profile: Profile, *, now: datetime, send: Send) -> int:
    """Every enabled `unanswered` rule of the profile; returns the notices sent."""
    sent = 0
    for rule in profile.alerts.unanswered:
        if rule.enabled:
            sent += len(check(es, profile, rule, now=now, send=send))
    return sent


def run_reminders(
    es: Elasticsearch,
    profile: Profile,
    producer: KafkaProducer,
    stop: threading.Event,
    interval_s: float,
) -> None:
    """Checks every `interval_s` until stopped; notices go to `alerts`, like the engine's."""

    def send(notice: Alert) -> None:
        value = notice.model_dump_json().encode()
        producer.send(topic("alerts"), key=notice.id.encode(), value=value).get(timeout=30)

    while not stop.is_set():
        try:
            check_all(es, profile, now=datetime.now(UTC), send=send)
        except Exception:  # Elasticsearch or Kafka away: the next check sends what is due
            log.exception("checking unanswered posts failed")
        stop.wait(interval_s)
