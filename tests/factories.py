"""Mentions for tests, valid by construction."""

import uuid
from datetime import UTC, datetime

from schemas import Analysis, EnrichedMention, RawMention

WHEN = datetime(2026, 11, 16, 9, 30, tzinfo=UTC)


def raw_mention(
    text: str = "Le wifi de la médiathèque ne marche plus", **changes: object
) -> RawMention:
    fields: dict[str, object] = {
        "source": "mastodon",
        "native_id": uuid.uuid4().hex,
        "url": "https://mastodon.example/@someone/1",
        "author": {"pseudonym": "p_0123456789abcdef01234567"},
        "text": text,
        "created_at": WHEN,
        "fetched_at": WHEN,
        "query": "médiathèque",
    }
    return RawMention.model_validate(fields | changes)


def enriched_mention(
    text: str = "Le wifi de la médiathèque ne marche plus", **changes: object
) -> EnrichedMention:
    raw = raw_mention(text, **changes)
    start = text.lower().find("wifi")
    evidence = (
        [{"start": start, "end": start + 4, "text": text[start : start + 4]}] if start >= 0 else []
    )
    analysis = Analysis(
        lang="fr",
        relevant=True,
        topics=[{"topic": "wifi", "evidence": evidence}],  # type: ignore[list-item]
        sentiment="negative",
        sentiment_score=-0.6,
        complaint=True,
        branch="capucins",
        text_redacted=text,
        lemmas="wifi médiathèque marcher",
    )
    return EnrichedMention.from_raw(
        raw, analysis, pipeline_version="test", processed_at=raw.fetched_at
    )
