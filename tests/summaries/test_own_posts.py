"""The library's own posts of the week: the most engaging first, ranked inside Elasticsearch.

Seeded in 2047, a year no other test uses.
"""

from datetime import UTC, datetime, timedelta

import pytest
from elasticsearch import Elasticsearch

from indexer.queries import own_posts
from tests.summaries.seed import drop_mention_indices, index_mentions, mention

pytestmark = pytest.mark.integration

START = datetime(2047, 3, 4, tzinfo=UTC)
END = START + timedelta(days=7)


def test_own_posts_are_the_most_engaging_earliest_first_among_equals(es: Elasticsearch) -> None:
    drop_mention_indices(es, 2047)
    at = [START + timedelta(hours=h) for h in range(6)]
    quiet = mention("Nouveaux horaires", at[0], institution=True)
    liked_late = mention("Concert samedi", at[3], institution=True, likes=7)
    liked_early = mention("Atelier numérique", at[1], institution=True, likes=7)
    some = mention("Rappel : fermeture lundi", at[2], institution=True, likes=3)
    patron = mention("La médiathèque est top", at[4], likes=100)  # not the library's
    last_week = mention("Exposition", START - timedelta(hours=1), institution=True, likes=50)
    index_mentions(es, [quiet, liked_late, liked_early, some, patron, last_week])

    ranked = [post["id"] for post in own_posts(es, START, END, size=3)]

    assert ranked == [liked_early.id, liked_late.id, some.id]
    assert [p["id"] for p in own_posts(es, START, END, size=10)][-1] == quiet.id
    assert own_posts(es, START, END, size=0) == []
