"""Emerging terms: what is said this week far more than in the weeks before.

ES's `significant_text` is not used: with monthly indices, its background counts only come from
the shards holding foreground hits, so a week at the start of a month looks new. Instead, over
the relevant mentions' spaCy lemmas: `fg` is the share of this week's posts holding a term, `bg`
its share over the baseline weeks (with one pseudo-post, so a never-seen term is not infinite),
and the score is JLH's `(fg - bg) * fg / bg`: large when a term is both frequent now and rarer
than before. Terms in fewer than `emerging_min_count` posts of the week are left out.
"""

from collections import Counter
from collections.abc import Iterable

from summaries.typical import tokens


def document_frequency(texts: Iterable[str]) -> tuple[Counter[str], int]:
    frequency: Counter[str] = Counter()
    total = 0
    for text in texts:
        frequency.update(set(tokens(text)))
        total += 1
    return frequency, total


def emerging_terms(
    week_lemmas: Iterable[str], baseline_lemmas: Iterable[str], *, size: int, min_count: int
) -> list[tuple[str, int, int, float]]:
    """(term, posts this week, posts over the baseline, score), best first."""
    foreground, fg_total = document_frequency(week_lemmas)
    background, bg_total = document_frequency(baseline_lemmas)
    if not fg_total:
        return []
    scored = []
    for term, count in foreground.items():
        if count < min_count:
            continue
        fg = count / fg_total
        bg = (background[term] + 1) / (bg_total + 1)
        if fg > bg:
            scored.append((term, count, background[term], (fg - bg) * fg / bg))
    scored.sort(key=lambda item: (-item[3], item[0]))
    return scored[:size]
