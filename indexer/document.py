"""The Elasticsearch document of a mention: flat tags for filters, evidence kept for display."""

from datetime import datetime
from typing import Any

from schemas import Analysis, EnrichedMention


def lemma_terms(lemmas: str) -> list[str]:
    """The words of a lemma string, lower-cased; numbers and punctuation left out."""
    return [word for word in lemmas.lower().split() if any(char.isalpha() for char in word)]


def to_document(mention: EnrichedMention, *, indexed_at: datetime) -> dict[str, Any]:
    document = mention.model_dump(mode="json", exclude={"topics", "text_redacted"})
    document |= tag_fields(mention)
    document["text"] = mention.text_redacted
    # Each distinct word once: term aggregations then count posts, not occurrences.
    document["lemma_terms"] = sorted(set(lemma_terms(mention.lemmas)))
    # Summed here because the summary ranks the library's posts by it inside Elasticsearch, which
    # cannot add fields up at search time without a scripting module.
    engagement = mention.engagement
    document["engagement"]["total"] = engagement.likes + engagement.shares + engagement.replies
    document["indexed_at"] = indexed_at.isoformat()
    return document


def tag_fields(analysis: Analysis) -> dict[str, Any]:
    """What the NLP stage decided, as document fields (the redacted text aside)."""
    fields = analysis.model_dump(
        mode="json", include=set(Analysis.model_fields) - {"text_redacted"}
    )
    fields["topics"] = analysis.topic_ids
    fields["evidence"] = [
        {"topic": tag.topic, "start": span.start, "end": span.end, "text": span.text}
        for tag in analysis.topics
        for span in tag.evidence
    ]
    return fields
