"""The summary's aggregations mean what a plain computation over the posts means.

A seeded corpus in 2034 (a year no other test uses): the summarised week 2034-W18 starts on
1 May, so it lives in the May index while its baseline weeks live in April's, the case where
ES's own significance scoring misleads. The emerging terms and the representative posts are
checked against a straightforward computation over the very posts that were indexed.
"""

import random
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta

import pytest
from elasticsearch import Elasticsearch

from config.profile import load_profile
from indexer.layout import layout
from schemas import EnrichedMention
from summaries.compute import compute_summary
from summaries.emerging import emerging_terms
from summaries.settings import tunables
from summaries.typical import Post, typical_posts
from summaries.weeks import Week
from tests.summaries.seed import SAMPLE_PROFILE, drop_mention_indices, index_mentions, mention

MONTHLY = layout().mentions.index_prefix  # monthly mention indices: MONTHLY + "YYYY.MM"

pytestmark = pytest.mark.integration

WEEK = Week.parse("2034-W18")
TIMEZONE = "Europe/Paris"
COMMON = [
    "livre",
    "prêt",
    "retour",
    "wifi",
    "salle",
    "accueil",
    "horaire",
    "place",
    "lecture",
    "café",
]
NEW = ["chauffage", "froid", "radiateur", "gel"]  # said this week far more than before
NOISE = ["3", "!", "wi-fi", "l'accueil", "2h30", "Salle"]  # numbers, punctuation, case


def _at(rng: random.Random, week: Week) -> datetime:
    start, end = week.window(TIMEZONE)
    return start + timedelta(seconds=rng.randrange(int((end - start).total_seconds())))


def _lemmas(rng: random.Random, words: list[str]) -> str:
    return " ".join(rng.choices(words, k=rng.randint(2, 7)) + rng.sample(NOISE, 2))


def _corpus() -> list[EnrichedMention]:
    rng = random.Random(2034)
    mentions = []
    for week in [*WEEK.previous(4), WEEK, WEEK.shift(1)]:
        vocabulary = COMMON + (NEW if week == WEEK else NEW[:1])
        for _ in range(rng.randint(40, 70)):
            lemmas = _lemmas(rng, vocabulary)
            relevant = rng.random() > 0.15
            mentions.append(
                mention(lemmas, _at(rng, week), lemmas=lemmas, relevant=relevant, topics=("x",))
            )
        # The heating complaints: most of the week's, spread over it, and a few odd ones.
        complaints = 25 if week == WEEK else 3
        for n in range(complaints):
            typical = n % 5 != 0
            words = ["chauffage", "froid", "salle", "radiateur"] if typical else ["parking"]
            lemmas = " ".join([*rng.sample(words, len(words)), rng.choice(COMMON)])
            mentions.append(
                mention(
                    f"{'typique' if typical else 'autre'} {n}: {lemmas}",
                    _at(rng, week),
                    lemmas=lemmas,
                    topics=("temperature",),
                    complaint=True,
                )
            )
    return mentions


@pytest.fixture(scope="module")
def corpus(es: Elasticsearch) -> list[EnrichedMention]:
    drop_mention_indices(es, 2034)
    mentions = _corpus()
    index_mentions(es, mentions)
    index_of = layout().mentions.index_for
    assert {index_of(m.created_at) for m in _in(mentions, WEEK.previous(4))} == {
        f"{MONTHLY}2034.04"
    }
    assert f"{MONTHLY}2034.05" in {index_of(m.created_at) for m in _in(mentions, [WEEK])}
    return mentions


def _in(mentions: list[EnrichedMention], weeks: list[Week]) -> list[EnrichedMention]:
    return [m for m in mentions if Week.containing(m.created_at, TIMEZONE) in weeks]


def _reference_emerging(
    mentions: list[EnrichedMention], size: int, min_count: int
) -> list[tuple[str, int, int, float]]:
    """The definition, written out: shares of posts holding each word, JLH, best first."""

    def words(m: EnrichedMention) -> set[str]:
        return {w for w in m.lemmas.lower().split() if any(c.isalpha() for c in w)}

    week = [words(m) for m in _in(mentions, [WEEK]) if m.relevant]
    before = [words(m) for m in _in(mentions, WEEK.previous(4)) if m.relevant]
    now, then = Counter(w for s in week for w in s), Counter(w for s in before for w in s)
    scored = []
    for term, count in now.items():
        fg, bg = count / len(week), (then[term] + 1) / (len(before) + 1)
        if count >= min_count and fg > bg:
            scored.append((term, count, then[term], (fg - bg) * fg / bg))
    return sorted(scored, key=lambda t: (-t[3], t[0]))[:size]


def test_emerging_terms_match_the_plain_computation_across_a_month_boundary(
    es: Elasticsearch, corpus: list[EnrichedMention]
) -> None:
    settings = tunables().model_copy(update={"emerging_terms": 30, "emerging_min_count": 2})
    summary = compute_summary(es, load_profile(SAMPLE_PROFILE), WEEK, settings=settings)
    expected = _reference_emerging(corpus, 30, 2)
    got = [(t.term, t.count, t.background, t.score) for t in summary.emerging_terms]
    assert [row[:3] for row in got] == [row[:3] for row in expected]
    assert [row[3] for row in got] == pytest.approx([row[3] for row in expected])
    assert {"chauffage", "radiateur", "gel"} <= {row[0] for row in got}
    assert "froid" in {row[0] for row in got}  # seen before too (NEW[:1]) yet more now
    assert not {"3", "!", "2h30"} & {row[0] for row in got}


def _typical_reference(
    mentions: list[EnrichedMention], count: int, max_similarity: float
) -> list[str]:
    posts = [
        Post(m.id, m.text_redacted, m.lemmas, m.created_at)
        for m in _in(mentions, [WEEK])
        if m.complaint and m.relevant and "temperature" in m.topic_ids
    ]
    return [p.id for p in typical_posts(posts, count=count, max_similarity=max_similarity)]


def test_representative_posts_are_the_typical_ones_of_the_whole_week(
    es: Elasticsearch, corpus: list[EnrichedMention]
) -> None:
    profile = load_profile(SAMPLE_PROFILE)
    settings = tunables()
    summary = compute_summary(es, profile, WEEK, settings=settings)
    topic = next(t for t in summary.topics if t.topic == "temperature")
    expected = _typical_reference(
        corpus, settings.examples_per_topic, settings.example_max_similarity
    )
    assert settings.example_pool >= 25  # the pool holds every complaint: the very same posts
    assert [post.id for post in topic.examples] == expected


def test_a_small_sample_is_deterministic_and_still_typical(
    es: Elasticsearch, corpus: list[EnrichedMention]
) -> None:
    profile = load_profile(SAMPLE_PROFILE)
    settings = tunables().model_copy(update={"example_pool": 8})
    first = compute_summary(es, profile, WEEK, settings=settings)
    again = compute_summary(es, profile, WEEK, settings=settings)
    examples = next(t for t in first.topics if t.topic == "temperature").examples
    assert examples == next(t for t in again.topics if t.topic == "temperature").examples
    # The most typical first; the others differ from it (near-duplicates are skipped).
    assert examples and examples[0].text_redacted.startswith("typique")


def test_background_is_asked_only_while_a_term_can_still_rank() -> None:
    rng = random.Random(7)
    words = [f"w{n}" for n in range(300)]
    week = Counter(rng.choices(words, weights=range(300, 0, -1), k=5000))
    before = Counter(rng.choices(words, k=20000))
    asked: list[int] = []

    def background(terms: Sequence[str]) -> dict[str, int]:
        asked.append(len(terms))
        return {term: before[term] for term in terms}

    whole = emerging_terms(week.items(), 5000, background, 20000, size=5, min_count=3, chunk=1000)
    asked.clear()
    chunked = emerging_terms(week.items(), 5000, background, 20000, size=5, min_count=3, chunk=10)
    assert chunked == whole and len(whole) == 5
    assert sum(asked) < len([n for n in week.values() if n >= 3])
