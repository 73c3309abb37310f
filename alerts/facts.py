"""What a rule looks at in a mention, from the bus (`EnrichedMention`) or from the index."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from schemas import EnrichedMention
from schemas.alert import AlertMention
from schemas.base import Contract, UtcDatetime


@dataclass(frozen=True)
class Facts:
    id: str
    created_at: datetime
    topics: tuple[str, ...]
    sentiment: str
    complaint: bool
    branch: str | None
    source: str
    lang: str
    text: str
    url: str | None
    institution: bool

    @classmethod
    def of(cls, mention: EnrichedMention) -> "Facts":
        return cls(
            id=mention.id,
            created_at=mention.created_at,
            topics=tuple(mention.topic_ids),
            sentiment=mention.sentiment,
            complaint=mention.complaint,
            branch=mention.branch,
            source=mention.source,
            lang=mention.lang,
            text=mention.text_redacted,
            url=mention.url,
            institution=mention.author.institution,
        )

    @classmethod
    def of_document(cls, document: dict[str, Any]) -> "Facts":
        """A `murmure-mentions` document (see `indexer.document`), for `test-rule`."""
        return cls(
            id=str(document["id"]),
            created_at=_When.model_validate({"at": document["created_at"]}).at,
            topics=tuple(document.get("topics") or ()),
            sentiment=str(document.get("sentiment", "neutral")),
            complaint=bool(document.get("complaint", False)),
            branch=document.get("branch"),
            source=str(document.get("source", "")),
            lang=str(document.get("lang", "other")),
            text=str(document.get("text", "")),
            url=document.get("url"),
            institution=bool((document.get("author") or {}).get("institution", False)),
        )

    def sample(self) -> AlertMention:
        return AlertMention(
            id=self.id,
            text_redacted=self.text,
            created_at=self.created_at,
            url=self.url,
            source=self.source,
        )


class _When(Contract):
    at: UtcDatetime
