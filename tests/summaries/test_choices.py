"""How the summary chooses: ISO weeks, typical posts, emerging terms (escaping of the posts it
quotes: `test_hostile_reports.py`)."""

from collections import Counter
from datetime import UTC, datetime

import pytest

from summaries.emerging import emerging_terms
from summaries.typical import Post, typical_posts
from summaries.weeks import Week


def test_iso_weeks_in_local_time_across_the_clock_change() -> None:
    week = Week.parse("2026-W44")  # clocks go back on Sunday 2026-10-25, the day before
    start, end = week.window("Europe/Paris")
    assert start == datetime(2026, 10, 25, 23, 0, tzinfo=UTC)
    assert end == datetime(2026, 11, 1, 23, 0, tzinfo=UTC)
    assert str(Week.parse("2026-W01").shift(-1)) == "2025-W52"
    assert [str(w) for w in week.previous(2)] == ["2026-W42", "2026-W43"]
    for bad in ("2026-47", "2026-W54", "W47"):
        with pytest.raises(ValueError, match="ISO week"):
            Week.parse(bad)


def _post(number: int, lemmas: str) -> Post:
    return Post(str(number), lemmas, lemmas, datetime(2026, 11, 3, number, tzinfo=UTC))


def test_typical_posts_are_near_the_centroid_and_not_duplicates() -> None:
    posts = [
        _post(1, "chauffage panne froid centrale"),
        _post(2, "chauffage panne froid salle"),
        _post(3, "chauffage panne froid centrale"),  # a duplicate of the first
        _post(4, "froid chauffage centrale bonnet"),
        _post(5, "parking voiture vélo"),  # off the common complaint
    ]
    chosen = typical_posts(posts, count=3, max_similarity=0.95)
    assert [post.id for post in chosen][:1] in (["1"], ["3"])
    assert "5" not in {post.id for post in chosen}
    assert not {"1", "3"} <= {post.id for post in chosen}
    assert typical_posts([], count=3, max_similarity=0.9) == []


def _posts_holding(posts: list[str]) -> Counter[str]:
    return Counter(word for post in posts for word in set(post.split()))


def test_emerging_terms_are_frequent_now_and_rare_before() -> None:
    before = ["wifi lent", "livre prêt", "livre retour", "wifi coupé"] * 5
    week = ["chauffage panne", "chauffage froid", "chauffage panne", "livre prêt", "wifi lent"]
    found = emerging_terms(
        _posts_holding(week).items(),
        len(week),
        lambda terms: {term: _posts_holding(before)[term] for term in terms},
        len(before),
        size=3,
        min_count=2,
    )
    assert [term for term, *_ in found][:2] == ["chauffage", "panne"]
    assert found[0][1:3] == (3, 0)
    assert all(term not in {"livre", "wifi"} for term, *_ in found)
