"""Search queries built from the profile, so a library lists its names once, not per network.

What goes in: the library's and branches' names and aliases, the library's own accounts on
that network, its hashtags, "library word + place" pairs for the area, its languages where the
network filters on them, and its exclusion terms where the network's syntax can exclude.
"""

from collections.abc import Iterable
from functools import cache
from importlib.resources import files

import yaml

from config.profile import Profile


@cache
def _terms() -> dict[str, dict[str, object]]:
    text = files("listeners").joinpath("terms.yml").read_text(encoding="utf-8")
    loaded: dict[str, dict[str, object]] = yaml.safe_load(text)
    return loaded


def max_length(network: str) -> int:
    limits = _terms()["max_query_length"]
    return int(str(limits[network]))


def names(profile: Profile) -> list[str]:
    """The library's name, then each branch's name and aliases, without repeats."""
    found = [profile.library.name]
    for branch in profile.branches:
        found.extend(branch.names)
    return _unique(found)


def hashtags(profile: Profile) -> list[str]:
    """The profile's hashtags without their '#'."""
    return _unique(tag.lstrip("#") for tag in profile.hashtags if tag.lstrip("#"))


def own_handles(profile: Profile, source: str) -> list[str]:
    return [a.handle.lstrip("@") for a in profile.accounts if a.source == source]


def place_pairs(profile: Profile) -> list[tuple[list[str], str]]:
    """(library words in the profile's languages, place) for every area place."""
    words_by_language: dict[str, list[str]] = _terms()["library_words"]  # type: ignore[assignment]
    words = _unique(
        word for language in profile.library.languages for word in words_by_language[language]
    )
    return [(words, place) for place in profile.area.places]


def x_queries(profile: Profile, *, own_replies: bool = True) -> list[str]:
    """X search syntax: OR-ed phrases, `#tag`, `@account`, `lang:`, `-"excluded"`, no reposts;
    with `own_replies`, the library's accounts' own posts (`from:`) too: their replies answer."""
    terms = [_quote(name) for name in names(profile)]
    terms += [f"#{tag}" for tag in hashtags(profile)]
    terms += [f"@{handle}" for handle in own_handles(profile, "x")]
    terms += [f"from:{handle}" for handle in own_handles(profile, "x") if own_replies]
    terms += [f"({' OR '.join(words)}) {_quote(place)}" for words, place in place_pairs(profile)]
    languages = " OR ".join(f"lang:{code}" for code in profile.library.languages)
    suffix = f" ({languages}) -is:retweet"
    suffix += "".join(f" -{_quote(term)}" for term in profile.exclude_terms)
    return pack_or(terms, suffix=suffix, limit=max_length("x"))


def x_own_queries(profile: Profile) -> list[str]:
    """The library's X accounts' own posts and replies, in any language (beside given queries)."""
    terms = [f"from:{handle}" for handle in own_handles(profile, "x")]
    return pack_or(terms, suffix=" -is:retweet", limit=max_length("x"))


def reddit_queries(profile: Profile) -> list[str]:
    """Reddit (Lucene-like) syntax: OR-ed phrases and `NOT "excluded"`."""
    terms = [_quote(name) for name in names(profile)]
    terms += [
        f"({' OR '.join(words)}) AND {_quote(place)}" for words, place in place_pairs(profile)
    ]
    suffix = "".join(f' NOT "{term}"' for term in profile.exclude_terms)
    return pack_or(terms, suffix=suffix, limit=max_length("reddit"))


def youtube_queries(profile: Profile) -> list[str]:
    """YouTube search syntax: `|` between phrases, `-excluded`."""
    terms = [_quote(name) for name in [profile.library.name, *(b.name for b in profile.branches)]]
    suffix = "".join(f" -{_quote(term)}" for term in profile.exclude_terms)
    return pack_or(terms, suffix=suffix, limit=max_length("youtube"), joiner=" | ")


def phrase_queries(profile: Profile) -> list[str]:
    """One query per name, hashtag and place pair, for networks without OR (Bluesky)."""
    queries = [_quote(name) for name in names(profile)]
    queries += [f"#{tag}" for tag in hashtags(profile)]
    queries += [f"{words[0]} {place}" for words, place in place_pairs(profile)]
    return _unique(queries)


def pack_or(terms: list[str], *, suffix: str, limit: int, joiner: str = " OR ") -> list[str]:
    """As few queries as fit under `limit`, each `(a OR b …)` followed by the suffix."""
    queries: list[str] = []
    group: list[str] = []
    for term in terms:
        candidate = [*group, term]
        if group and len(f"({joiner.join(candidate)}){suffix}") > limit:
            queries.append(f"({joiner.join(group)}){suffix}")
            candidate = [term]
        group = candidate
    if group:
        queries.append(f"({joiner.join(group)}){suffix}")
    return queries


def _quote(term: str) -> str:
    return f'"{term}"' if " " in term or "-" in term else term


def _unique(items: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    kept = []
    for item in items:
        folded = item.casefold().strip()
        if folded and folded not in seen:
            seen.add(folded)
            kept.append(item.strip())
    return kept
