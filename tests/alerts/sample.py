"""The sample network for the alert tests: its profile, its stream tagged by the real NLP
stage (once per session: it takes a while), and the alerts of the stream run in time order."""

import json
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from alerts.engine import Engine
from alerts.facts import Facts
from bus.topics import topic
from config.profile import Profile, load_profile
from listeners.replay import read_recording, to_mention
from schemas import EnrichedMention
from schemas.alert import Alert
from tests.kafka import read_to_end

SAMPLES = Path(__file__).parents[2] / "samples"


def sample_profile() -> Profile:
    return load_profile(SAMPLES / "profile.yml")


@lru_cache(maxsize=1)
def tagged_sample() -> tuple[EnrichedMention, ...]:
    """In the order of the recording (time order)."""
    from nlp.stage import build_stage

    profile = sample_profile()
    now = datetime.now(UTC)
    raws = [
        to_mention(item, profile=profile, key=SecretStr("k" * 32), fetched_at=now)
        for _, item in read_recording(SAMPLES / "stream.jsonl")
        if isinstance(item, dict)
    ]
    stage = build_stage(profile)
    analyses = stage.analyse([raw.text for raw in raws])
    return tuple(
        EnrichedMention.from_raw(raw, analysis, pipeline_version=stage.version, processed_at=now)
        for raw, analysis in zip(raws, analyses, strict=True)
    )


def in_order_notices(profile: Profile, mentions: tuple[EnrichedMention, ...]) -> list[Alert]:
    """What the engine raises on the mentions in (created_at, id) order, as the worker
    hands them over."""
    engine = Engine(
        profile.alerts, library_id=profile.library.id, timezone=profile.library.timezone
    )
    ordered = sorted(mentions, key=lambda m: (m.created_at, m.id))
    return [notice for mention in ordered for notice in engine.process(Facts.of(mention))]


def incidents() -> list[dict[str, Any]]:
    data = json.loads((SAMPLES / "incidents.json").read_text(encoding="utf-8"))
    return list(data["incidents"])


def notice_key(notice: Alert) -> tuple[Any, ...]:
    """What must be equal for two runs to have raised the same notices."""
    return (
        notice.id,
        notice.status,
        notice.sequence,
        notice.raised_at,
        notice.count,
        notice.total,
        notice.trigger_mention_id,
    )


def read_notices(library_id: str, since: datetime | None = None) -> list[Alert]:
    """Every notice of one library in the `alerts` topic (emitted since `since`, if given)."""
    found = [Alert.model_validate_json(record.value) for record in read_to_end(topic("alerts"))]
    return [
        n
        for n in found
        if n.library_id == library_id and (since is None or (n.emitted_at or since) >= since)
    ]
