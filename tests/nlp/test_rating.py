"""A review's stars complete the tone of its few words, and reach the enriched mention."""

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from bus.kafka import make_consumer, make_producer
from bus.stage import Batch
from config.profile import Profile
from nlp.pool import NlpPool, start_pool
from nlp.rating import SHORT_REVIEW_WORDS, with_rating
from nlp.stage import Stage
from nlp.worker import EnrichStage
from schemas import EnrichedMention
from tests.factories import raw_mention


def test_few_words_with_one_or_two_stars_are_a_negative_review(stage: Stage) -> None:
    for text in ("Nul.", "Bof", "Trois fois venu, trois fois fermé"):
        alone = stage.analyse_one(text)
        rated = with_rating(alone, 1)
        assert rated.sentiment == "negative" and rated.sentiment_score <= -0.5, text
        assert rated.relevant  # a review of the library's own listing is about the library
        assert with_rating(alone, 2).sentiment == "negative"
        assert with_rating(alone, 3).sentiment == alone.sentiment


def test_few_words_with_four_or_five_stars_are_positive_unless_they_report_a_problem(
    stage: Stage,
) -> None:
    assert with_rating(stage.analyse_one("RAS"), 5).sentiment == "positive"
    complaint = stage.analyse_one("Le wifi de la médiathèque ne marche plus")
    assert complaint.complaint
    assert with_rating(complaint, 5) == complaint.model_copy(update={"relevant": True})


def test_a_long_review_keeps_the_tone_of_its_words(stage: Stage) -> None:
    text = (
        "Très belle médiathèque, personnel accueillant et souriant, beaucoup de place pour "
        "travailler au calme, je recommande vivement à tous les étudiants du quartier"
    )
    assert len(text.split()) > SHORT_REVIEW_WORDS
    praised = stage.analyse_one(text)
    assert praised.sentiment == "positive"
    assert with_rating(praised, 1).sentiment == "positive"


def test_no_rating_changes_nothing(stage: Stage) -> None:
    analysis = stage.analyse_one("Nul.")
    assert with_rating(analysis, None) is analysis


@pytest.fixture(scope="module")
def pool(profile: Profile) -> Iterator[NlpPool]:
    started = start_pool(profile, processes=1)
    yield started
    started.close()


@pytest.mark.integration
def test_enrich_reads_the_stars_of_a_review(pool: NlpPool, topics: None) -> None:
    review = raw_mention("Nul.", source="google_reviews", rating=1)
    post = raw_mention("Nul.")
    records: list[Any] = [
        SimpleNamespace(value=m.model_dump_json().encode(), offset=n, topic="raw", partition=0)
        for n, m in enumerate([review, post])
    ]
    producer = make_producer()
    stage = EnrichStage(pool, producer, chunk_size=2, batch_size=2)
    batch = Batch(stage.validate, lambda limit: [])
    batch.add(records)
    assert batch.failures == [] and stage.produce(stage.process(batch)) == []
    producer.close()
    found: dict[str, EnrichedMention] = {}
    consumer = make_consumer("rating-check", "enriched", consumer_timeout_ms=20_000)
    try:
        for record in consumer:
            if record.key and record.key.decode() in (review.id, post.id):
                found[record.key.decode()] = EnrichedMention.model_validate_json(record.value)
            if len(found) == 2:
                break
    finally:
        consumer.close()
    assert found[review.id].rating == 1 and found[review.id].sentiment == "negative"
    assert found[review.id].relevant
    assert found[post.id].rating is None
