"""What the generator planted: the incidents' ground truth (`incidents.json`) and the counts the
sample's README gives (`--stats`)."""

from collections import Counter
from typing import Any

from tools.samplegen.generator import Generator
from tools.samplegen.schedule import INCIDENTS, NOT_PATRONS


def ground_truth(generator: Generator) -> dict[str, Any]:
    incidents = []
    for spec in INCIDENTS:
        posts = sorted(generator.incident_posts[spec.id], key=lambda p: p.created_at)
        if not posts:
            continue
        related = sorted(generator.incident_related[spec.id], key=lambda p: p.created_at)
        incidents.append(
            {
                "id": spec.id,
                "topic": spec.topic,
                "branch": spec.branch,
                "description": spec.description,
                "first_post": posts[0].created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "last_post": posts[-1].created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "count": len(posts),
                "native_ids": [p.native_id for p in posts],
                "mention_ids": [f"{p.source}:{p.native_id}" for p in posts],
                "related_mention_ids": [f"{p.source}:{p.native_id}" for p in related],
            }
        )
    return {
        "seed": generator.seed,
        "start": generator.start.isoformat(),
        "weeks": generator.weeks,
        "timezone": str(generator.tz),
        "incidents": incidents,
    }


def stats(generator: Generator) -> dict[str, Counter[str]]:
    """Counts per ISO week, source, language, kind of post and topic (for the README)."""
    kinds = ("week", "source", "lang", "kind", "topic")
    found: dict[str, Counter[str]] = {kind: Counter() for kind in kinds}
    for post in generator.posts:
        label, lang = generator.labels[(post.source, post.native_id)]
        local = post.created_at.astimezone(generator.tz).date()
        found["week"][f"W{(local - generator.start).days // 7 + 1}"] += 1
        found["source"][post.source] += 1
        found["lang"][lang] += 1
        kind = label if label in (*NOT_PATRONS, "reply") else "patron"
        found["kind"][kind] += 1
        if kind == "patron":
            found["topic"][label.split("/")[0]] += 1
            if "/neg" in label:
                found["topic"][label.split("/")[0] + " (complaints)"] += 1
    return found
