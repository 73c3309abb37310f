"""The Elasticsearch document of a mention: flat tags for filters, evidence kept for display."""

from datetime import datetime
from typing import Any

from schemas import EnrichedMention


def lemma_terms(lemmas: str) -> list[str]:
    """The words of a lemma string, lower-cased; numbers and punctuation left out."""
    return [word for word in lemmas.lower().split() if any(char.isalpha() for char in word)]


def to_document(mention: EnrichedMention, *, indexed_at: datetime) -> dict[str, Any]:
    document = mention.model_dump(mode="json", exclude={"topics", "text_redacted"})
    document["topics"] = mention.topic_ids
    document["evidence"] = [
        {"topic": tag.topic, "start": span.start, "end": span.end, "text": span.text}
        for tag in mention.topics
        for span in tag.evidence
    ]
    document["text"] = mention.text_redacted
    # Each distinct word once: term aggregations then count posts, not occurrences.
    document["lemma_terms"] = sorted(set(lemma_terms(mention.lemmas)))
    # Summed here because the summary ranks the library's posts by it inside Elasticsearch, which
    # cannot add fields up at search time without a scripting module.
    engagement = mention.engagement
    document["engagement"]["total"] = engagement.likes + engagement.shares + engagement.replies
    document["indexed_at"] = indexed_at.isoformat()
    return document
