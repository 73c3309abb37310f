"""The Elasticsearch document of a mention: flat tags for filters, evidence kept for display."""

from datetime import datetime
from typing import Any

from schemas import Analysis, EnrichedMention


def to_document(mention: EnrichedMention, *, indexed_at: datetime) -> dict[str, Any]:
    document = mention.model_dump(mode="json", exclude={"topics", "text_redacted"})
    document |= tag_fields(mention)
    document["text"] = mention.text_redacted
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
