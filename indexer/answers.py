"""Answers: a patron's question or complaint is answered when one of the library's own accounts
replies in its thread, to it (`in_reply_to`) or under it (`thread`).

The library's replies are mentions like any other, so they are already kept in Elasticsearch.
After each written batch, the `index` worker links both ways: the batch's replies to the posts
they answer, and the batch's questions and complaints to the replies already indexed. So the
answer may come before its post (another partition, another worker) or after it. The write
comes first and the search after a refresh: of two workers racing, the later search sees the
other's write. The earliest reply is the answer; writing it again changes nothing, and a post
written again (a replay) gets its answer back from the same search.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from elasticsearch import Elasticsearch, helpers

from bus.records import TransientError
from indexer.client import RETRYABLE_STATUSES
from schemas import EnrichedMention, mention_id

ANSWER_FIELDS = ("answered_at", "answered_by", "answer_delay_s")


@dataclass(frozen=True, order=True)
class Answer:
    at: datetime
    by: str
    reply: str  # the reply's mention id: equal times are broken the same way every time


def awaits_answer(mention: EnrichedMention) -> bool:
    return not mention.author.institution and (mention.question or mention.complaint)


def is_reply(mention: EnrichedMention) -> bool:
    return mention.author.institution and bool(mention.in_reply_to or mention.thread)


def targets(source: str, in_reply_to: str | None, thread: str | None) -> set[str]:
    """The mention ids a reply answers: the post it replies to and its thread's first post."""
    return {mention_id(source, native) for native in (in_reply_to, thread) if native}


def link_answers(es: Elasticsearch, alias: str, mentions: Sequence[EnrichedMention]) -> int:
    """Marks what the batch's mentions answer, or are answered by; returns documents updated."""
    replies = [m for m in mentions if is_reply(m)]
    waiting = [m for m in mentions if awaits_answer(m)]
    if not replies and not waiting:
        return 0
    es.indices.refresh(index=alias)
    answers: dict[str, Answer] = {}
    for reply in replies:
        _keep(answers, targets(reply.source, reply.in_reply_to, reply.thread), _answer_of(reply))
    wanted = {m.id for m in waiting}
    for hit in _replies_to(es, alias, waiting):
        source = hit["_source"]
        found = targets(source["source"], source.get("in_reply_to"), source.get("thread"))
        _keep(answers, found & wanted, _answer_from_document(hit))
    return _write(es, alias, answers)


def _keep(answers: dict[str, Answer], ids: Iterable[str], answer: Answer) -> None:
    for target in ids:
        if target != answer.reply and (target not in answers or answer < answers[target]):
            answers[target] = answer


def _answer_of(reply: EnrichedMention) -> Answer:
    return Answer(reply.created_at, reply.author.pseudonym, reply.id)


def _answer_from_document(hit: dict[str, Any]) -> Answer:
    source = hit["_source"]
    return Answer(_time(source["created_at"]), str(source["author"]["pseudonym"]), str(hit["_id"]))


def _time(value: object) -> datetime:
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _replies_to(
    es: Elasticsearch, alias: str, waiting: Sequence[EnrichedMention]
) -> list[dict[str, Any]]:
    """The library's replies already indexed that name one of `waiting` (any network: the
    source is checked on each hit, since native ids of two networks may coincide)."""
    if not waiting:
        return []
    natives = sorted({m.native_id for m in waiting})
    query = {
        "bool": {
            "filter": [
                {"term": {"author.institution": True}},
                {"terms": {"source": sorted({m.source for m in waiting})}},
            ],
            "should": [{"terms": {"in_reply_to": natives}}, {"terms": {"thread": natives}}],
            "minimum_should_match": 1,
        }
    }
    fields = ["source", "in_reply_to", "thread", "created_at", "author.pseudonym"]
    body = {"query": query, "_source": fields}
    return list(helpers.scan(es, query=body, index=alias, size=500))


def _write(es: Elasticsearch, alias: str, answers: dict[str, Answer]) -> int:
    """Updates in place the answered documents whose answer is new or earlier than theirs."""
    if not answers:
        return 0
    fields = ["created_at", "question", "complaint", "author.institution", *ANSWER_FIELDS]
    body = {"query": {"ids": {"values": sorted(answers)}}, "_source": fields}
    operations: list[dict[str, Any]] = []
    for hit in helpers.scan(es, query=body, index=alias, size=500):
        document = hit["_source"]
        if document["author"].get("institution") or not (
            document.get("question") or document.get("complaint")
        ):
            continue
        change = _fields(answers[str(hit["_id"])], document)
        if change:
            operations += [
                {"update": {"_index": hit["_index"], "_id": hit["_id"]}},
                {"doc": change},
            ]
    if not operations:
        return 0
    results = [item["update"] for item in es.bulk(operations=operations)["items"]]
    statuses = [int(result.get("status", 500)) for result in results]
    if any(status in RETRYABLE_STATUSES for status in statuses):
        raise TransientError("answers refused for now by Elasticsearch")  # the batch is redone
    # A document gone meanwhile (erased, moved to another month) has nothing to record.
    return sum(status < 300 for status in statuses)


def _fields(answer: Answer, document: dict[str, Any]) -> dict[str, Any]:
    """The answer fields to write; nothing when the document holds this answer or an earlier one."""
    current = document.get("answered_at")
    if current and (_time(current), str(document.get("answered_by"))) <= (answer.at, answer.by):
        return {}
    posted = _time(document["created_at"])
    return {
        "answered_at": answer.at.isoformat().replace("+00:00", "Z"),
        "answered_by": answer.by,
        "answer_delay_s": max(0, round((answer.at - posted).total_seconds())),
    }
