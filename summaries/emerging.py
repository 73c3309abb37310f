"""Emerging terms: what is said this week far more than in the weeks before.

Over the relevant mentions' spaCy lemma words: `fg` is the share of this week's posts holding a
term, `bg` its share over the baseline weeks (with one pseudo-post, so a never-seen term is not
infinite), and the score is JLH's `(fg - bg) * fg / bg`: large when a term is both frequent now
and rarer than before. Terms in fewer than `emerging_min_count` posts of the week are left out.

The counts come from Elasticsearch aggregations (`indexer.queries.term_posts`,
`posts_holding`), never from scrolled posts. ES's `significant_terms` is not used: with monthly
indices, its background counts only come from the shards holding foreground hits, so a week at
the start of a month looks new; plain term counts over a date filter span every index.

Background counts are asked for in chunks of the week's terms, most frequent first, and asking
stops once no term left can reach the chosen ones: a term's score is at most its score with no
background post, which only falls with its count.
"""

import heapq
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import islice

Emerging = tuple[str, int, int, float]  # term, posts this week, posts over the baseline, score
Background = Callable[[Sequence[str]], Mapping[str, int]]


def jlh(count: int, fg_total: int, background: int, bg_total: int) -> float:
    fg = count / fg_total
    bg = (background + 1) / (bg_total + 1)
    return (fg - bg) * fg / bg


def emerging_terms(
    week_terms: Iterable[tuple[str, int]],
    fg_total: int,
    background: Background,
    bg_total: int,
    *,
    size: int,
    min_count: int,
    chunk: int = 1000,
) -> list[Emerging]:
    """Best first. `week_terms`: (term, posts this week holding it); `background` gives the
    baseline's posts holding each of the terms it is asked about."""
    candidates = sorted(
        ((term, count) for term, count in week_terms if count >= min_count),
        key=lambda item: (-item[1], item[0]),
    )
    if not fg_total or not size:
        return []
    scored: list[Emerging] = []
    terms = iter(candidates)
    while batch := list(islice(terms, chunk)):
        if len(scored) >= size:
            kept = heapq.nlargest(size, (item[3] for item in scored))[-1]
            if jlh(batch[0][1], fg_total, 0, bg_total) < kept:
                break
        held = background([term for term, _ in batch])
        for term, count in batch:
            before = held.get(term, 0)
            score = jlh(count, fg_total, before, bg_total)
            if score > 0:
                scored.append((term, count, before, score))
    scored.sort(key=lambda item: (-item[3], item[0]))
    return scored[:size]
