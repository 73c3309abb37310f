"""Queries built from the profile: names, hashtags, accounts, places, languages, exclusions."""

from listeners import queries
from tests.listeners.conftest import make_profile


def test_x_queries_cover_the_profile_and_fit_the_length_limit() -> None:
    profile = make_profile()
    built = queries.x_queries(profile)
    joined = " ".join(built)
    assert all(len(query) <= queries.max_length("x") for query in built)
    assert len(built) > 1  # the sample profile does not fit in one query
    for expected in ('"Médiathèque de Lanvern"', "#BUStang", "@MediasKerbrient", '"prise de sang"'):
        assert expected in joined
    assert all(q.endswith('-"FC Keranou"') and "(lang:fr OR lang:en)" in q for q in built)
    assert (
        '(bibliothèque OR médiathèque OR BU OR bibliobus OR library OR libraries) "Pors-Meur"'
        in joined
    )


def test_reddit_youtube_and_phrase_queries() -> None:
    profile = make_profile()
    assert all('NOT "centrale nucléaire"' in q for q in queries.reddit_queries(profile))
    youtube = queries.youtube_queries(profile)
    assert " | " in youtube[0] and '"Bibliobus de Kerbrient"' in " ".join(youtube)
    phrases = queries.phrase_queries(profile)
    assert "#Kerbrient" in phrases and '"BU du Stang"' in phrases
    assert len(phrases) == len({p.casefold() for p in phrases})  # no repeats
    assert queries.hashtags(profile) == ["Kerbrient", "MédiasKerbrient", "BUStang", "bibliobus"]
