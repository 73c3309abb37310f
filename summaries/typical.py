"""Representative posts: the complaints most typical of a topic's week, not random ones.

Each complaint post becomes a TF-IDF vector of its spaCy lemmas (document frequencies taken over
the topic's complaint posts of the week); the posts closest (cosine) to the centroid of those
vectors say what most complaints say. A post nearly identical to one already chosen is skipped,
so the examples show the common complaint in different words. Ties go to the earlier post.
"""

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from indexer.document import lemma_terms

Vector = dict[str, float]


@dataclass(frozen=True)
class Post:
    id: str
    text: str
    lemmas: str
    created_at: datetime
    url: str | None = None


def tfidf(posts: Sequence[Post]) -> list[Vector]:
    counts = [Counter(lemma_terms(post.lemmas)) for post in posts]
    frequency = Counter(term for count in counts for term in count)
    total = len(posts)
    vectors = []
    for count in counts:
        length = sum(count.values()) or 1
        vector = {
            term: (n / length) * (math.log((1 + total) / (1 + frequency[term])) + 1)
            for term, n in count.items()
        }
        vectors.append(_normalised(vector))
    return vectors


def _normalised(vector: Vector) -> Vector:
    norm = math.sqrt(sum(value * value for value in vector.values()))
    return {term: value / norm for term, value in vector.items()} if norm else vector


def cosine(left: Vector, right: Vector) -> float:
    if len(left) > len(right):
        left, right = right, left
    return sum(value * right.get(term, 0.0) for term, value in left.items())


def typical_posts(posts: Sequence[Post], *, count: int, max_similarity: float) -> list[Post]:
    """Up to `count` posts, most typical first."""
    if not posts:
        return []
    # Float sums depend on their order: a canonical order of posts, and scores rounded, so that
    # equally typical posts tie (and go to the earlier) whatever order they were fetched in.
    posts = sorted(posts, key=lambda post: (post.created_at, post.id))
    vectors = tfidf(posts)
    total: defaultdict[str, float] = defaultdict(float)
    for vector in vectors:
        for term, value in vector.items():
            total[term] += value / len(vectors)
    centroid = _normalised(dict(total))
    ranked = sorted(
        range(len(posts)),
        key=lambda i: (-round(cosine(vectors[i], centroid), 9), posts[i].created_at, posts[i].id),
    )
    chosen: list[int] = []
    for index in ranked:
        if all(cosine(vectors[index], vectors[other]) < max_similarity for other in chosen):
            chosen.append(index)
        if len(chosen) == count:
            break
    return [posts[index] for index in chosen]
