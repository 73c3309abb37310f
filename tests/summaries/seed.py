"""Known mentions and alerts written into the real Elasticsearch, in weeks nobody else uses."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import yaml
from aiosmtpd.controller import Controller
from elasticsearch import Elasticsearch

from indexer.bulk import IndexAction, bulk_index
from indexer.document import to_document
from indexer.layout import layout
from schemas import Analysis, EnrichedMention, RawMention

SAMPLE_PROFILE = Path(__file__).resolve().parents[2] / "samples" / "profile.yml"


def mention(
    text: str,
    created_at: datetime,
    *,
    topics: tuple[str, ...] = (),
    sentiment: str = "neutral",
    complaint: bool = False,
    relevant: bool = True,
    branch: str | None = None,
    source: str = "mastodon",
    pseudonym: str = "p_0123456789abcdef01234567",
    institution: bool = False,
    likes: int = 0,
    lemmas: str | None = None,
) -> EnrichedMention:
    raw = RawMention.model_validate(
        {
            "source": source,
            "native_id": uuid.uuid4().hex,
            "url": f"https://{source}.example/post",
            "author": {"pseudonym": pseudonym, "institution": institution},
            "text": text,
            "created_at": created_at,
            "fetched_at": created_at,
            "engagement": {"likes": likes},
        }
    )
    analysis = Analysis.model_validate(
        {
            "lang": "fr",
            "relevant": relevant,
            "topics": [{"topic": topic} for topic in topics],
            "sentiment": "negative" if complaint else sentiment,
            "sentiment_score": -0.6 if complaint else 0.0,
            "complaint": complaint,
            "branch": branch,
            "text_redacted": text,
            "lemmas": lemmas if lemmas is not None else text.lower(),
        }
    )
    return EnrichedMention.from_raw(raw, analysis, pipeline_version="test", processed_at=created_at)


def index_mentions(es: Elasticsearch, mentions: list[EnrichedMention]) -> None:
    actions = [
        IndexAction(
            index=layout().mentions.index_for(m.created_at),
            doc_id=m.id,
            document=to_document(m, indexed_at=datetime.now(UTC)),
        )
        for m in mentions
    ]
    outcome = bulk_index(es, actions)
    assert outcome.written == list(range(len(actions))), outcome
    es.indices.refresh(index=layout().mentions.alias)


def write_profile(directory: Path, library_id: str, **changes: Any) -> Path:
    """The sample profile under another library id (summary ids are per library)."""
    data = yaml.safe_load(SAMPLE_PROFILE.read_text(encoding="utf-8"))
    data["library"]["id"] = library_id
    data["sources"] = [source for source in data["sources"] if source["type"] != "replay"]
    data.update(changes)
    path = directory / "profile.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@dataclass
class Inbox:
    """Messages a real local SMTP server received."""

    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        from email import message_from_bytes, policy

        parsed = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 OK"


@contextmanager
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, ready_timeout=60)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def drop_mention_indices(es: Elasticsearch, year: int) -> None:
    """Deletes a test year's monthly indices by name (wildcard deletes are refused)."""
    names = list(es.indices.get(index=f"{layout().mentions.index_prefix}{year}.*"))
    if names:
        es.indices.delete(index=",".join(names))
