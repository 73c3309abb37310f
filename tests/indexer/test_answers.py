"""A question or complaint and the library's reply end up as one answered document, whichever
is indexed first (out of order across partitions), and seeing the answer again changes nothing."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from elasticsearch import Elasticsearch

from indexer.layout import layout
from schemas import EnrichedMention
from tests.factories import enriched_mention
from tests.pipeline.test_faults import send_enriched
from tests.pipeline.workers import eventually, index_worker, new_group

pytestmark = pytest.mark.integration

POSTED = datetime(2035, 4, 7, 9, 0, tzinfo=UTC)
LIBRARY = "mediatheques@social.kerbrient.example"


def post(
    native: str, *, question: bool = True, complaint: bool = False, **changes: Any
) -> EnrichedMention:
    mention = enriched_mention(
        "La médiathèque est ouverte dimanche ?",
        native_id=native,
        created_at=changes.pop("created_at", POSTED),
        fetched_at=POSTED + timedelta(hours=6),
        **changes,
    )
    return mention.model_copy(update={"question": question, "complaint": complaint})


def reply(native: str, *, after: timedelta, **changes: Any) -> EnrichedMention:
    at = POSTED + after
    return enriched_mention(
        "Bonjour, oui de 14 h à 18 h.",
        native_id=native,
        author={"pseudonym": LIBRARY, "institution": True},
        created_at=at,
        fetched_at=at,
        **changes,
    ).model_copy(update={"complaint": False, "sentiment": "neutral"})


def document(es: Elasticsearch, mention_id: str) -> dict[str, Any]:
    alias = layout().mentions.alias
    if not es.indices.exists_alias(name=alias):
        return {}
    es.indices.refresh(index=alias)
    hits = es.search(index=alias, query={"ids": {"values": [mention_id]}})["hits"]["hits"]
    return dict(hits[0]["_source"]) if hits else {}


def answered(es: Elasticsearch, mention_id: str) -> bool:
    return "answered_at" in document(es, mention_id)


def ids() -> list[str]:
    return [uuid.uuid4().hex for _ in range(8)]


def test_answers_before_and_after_their_posts_and_in_threads(
    es: Elasticsearch, topics: None
) -> None:
    first, late, early, root, inner, other, never, elsewhere = ids()
    homonym_answer = uuid.uuid4().hex
    with index_worker(new_group("enriched")):
        # The question first, its answer 30 minutes later in another batch.
        send_enriched([post(first)])
        eventually(lambda: bool(document(es, f"mastodon:{first}")), 60, "the question indexed")
        send_enriched([reply(late, after=timedelta(minutes=30), in_reply_to=first)])
        # The answer first (its partition ran ahead), then the complaint it answers.
        send_enriched([reply(early, after=timedelta(hours=5), in_reply_to=other)])
        eventually(lambda: bool(document(es, f"mastodon:{early}")), 60, "the early answer indexed")
        send_enriched([post(other, question=False, complaint=True)])
        # An answer under a thread: to another patron's comment, in the thread of `root`.
        send_enriched(
            [
                post(root),
                post(inner, question=False, in_reply_to=root, thread=root),
                reply(uuid.uuid4().hex, after=timedelta(hours=2), in_reply_to=inner, thread=root),
            ]
        )
        # Same native id on another network: not answered by a Mastodon reply.
        send_enriched([post(elsewhere, source="bluesky"), post(never)])
        send_enriched([reply(homonym_answer, after=timedelta(hours=1), in_reply_to=elsewhere)])
        eventually(
            lambda: all(answered(es, f"mastodon:{i}") for i in (first, other, root)),
            90,
            "every answered post marked",
        )
        eventually(
            lambda: (
                bool(document(es, f"mastodon:{homonym_answer}"))
                and bool(document(es, f"bluesky:{elsewhere}"))
            ),
            60,
            "the reply to a homonym indexed",
        )
    found = document(es, f"mastodon:{first}")
    assert (found["answered_at"], found["answered_by"], found["answer_delay_s"]) == (
        "2035-04-07T09:30:00Z",
        LIBRARY,
        1800,
    )
    assert document(es, f"mastodon:{other}")["answer_delay_s"] == 5 * 3600
    assert document(es, f"mastodon:{root}")["answer_delay_s"] == 2 * 3600
    assert not answered(es, f"mastodon:{inner}")  # neither a question nor a complaint
    assert not answered(es, f"bluesky:{elsewhere}")
    assert not answered(es, f"mastodon:{never}")
    assert not answered(es, f"mastodon:{late}")  # the library's replies are not themselves answered


def test_seeing_an_answer_again_changes_nothing_and_the_earliest_answer_stays(
    es: Elasticsearch, topics: None
) -> None:
    question, answer, later = ids()[:3]
    first_answer = reply(answer, after=timedelta(minutes=10), in_reply_to=question)
    with index_worker(new_group("enriched")):
        send_enriched([post(question), first_answer])
        eventually(lambda: answered(es, f"mastodon:{question}"), 60, "answered")
        before = document(es, f"mastodon:{question}")
        send_enriched([first_answer, reply(later, after=timedelta(hours=3), in_reply_to=question)])
        eventually(lambda: bool(document(es, f"mastodon:{later}")), 60, "the later reply indexed")
        # The post written again (an edit, a replay) gets its answer back.
        edited = post(question).model_copy(update={"text_redacted": "Ouvert dimanche ? (modifié)"})
        send_enriched([edited])
        eventually(
            lambda: (
                document(es, f"mastodon:{question}").get("text", "").endswith("(modifié)")
                and answered(es, f"mastodon:{question}")
            ),
            60,
            "the edited post answered",
        )
    after = document(es, f"mastodon:{question}")
    assert after["answer_delay_s"] == 600
    assert {k: after[k] for k in ("answered_at", "answered_by", "answer_delay_s")} == {
        k: before[k] for k in ("answered_at", "answered_by", "answer_delay_s")
    }
