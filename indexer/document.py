"""The Elasticsearch document of a mention: flat tags for filters, evidence kept for display."""

from datetime import datetime
from typing import Any

from schemas import EnrichedMention


def to_document(mention: EnrichedMention, *, indexed_at: datetime) -> dict[str, Any]:
    document = mention.model_dump(mode="json", exclude={"topics", "text_redacted"})
    document["topics"] = mention.topic_ids
    document["evidence"] = [
        {"topic": tag.topic, "start": span.start, "end": span.end, "text": span.text}
        for tag in mention.topics
        for span in tag.evidence
    ]
    document["text"] = mention.text_redacted
    document["indexed_at"] = indexed_at.isoformat()
    return document
