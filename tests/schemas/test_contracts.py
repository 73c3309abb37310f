"""The contracts refuse what would corrupt later stages, and their JSON Schemas stay current."""

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from schemas import Analysis, EnrichedMention, RawMention
from schemas.export import CONTRACTS, JSON_DIR, render

NOW = datetime(2026, 11, 16, 9, 30, tzinfo=UTC)


def raw(**changes: object) -> RawMention:
    fields: dict[str, object] = {
        "source": "mastodon",
        "native_id": "110",
        "url": "https://mastodon.example/@x/110",
        "author": {"pseudonym": "p_3f2a", "institution": False},
        "text": "Le wifi de la BU ne marche plus",
        "created_at": NOW,
        "fetched_at": NOW,
    }
    return RawMention.model_validate(fields | changes)


def analysis(**changes: object) -> Analysis:
    fields: dict[str, object] = {
        "lang": "fr",
        "relevant": True,
        "topics": [{"topic": "wifi", "evidence": [{"start": 3, "end": 7, "text": "wifi"}]}],
        "sentiment": "negative",
        "sentiment_score": -0.7,
        "complaint": True,
        "branch": None,
        "text_redacted": "Le wifi de la BU ne marche plus",
    }
    return Analysis.model_validate(fields | changes)


def test_mention_id_is_source_and_native_id() -> None:
    assert raw().id == "mastodon:110"
    assert raw().id == raw(fetched_at=NOW + timedelta(hours=1)).id


def test_json_round_trip_keeps_everything() -> None:
    mention = raw()
    again = RawMention.model_validate_json(mention.model_dump_json())
    assert again == mention
    assert json.loads(mention.model_dump_json())["id"] == "mastodon:110"


def test_serialised_id_must_agree_with_source() -> None:
    payload = json.loads(raw().model_dump_json()) | {"id": "x:999"}
    with pytest.raises(ValidationError, match="does not match"):
        RawMention.model_validate_json(json.dumps(payload))


@pytest.mark.parametrize(
    "created_at",
    [
        datetime(2026, 11, 16, 9, 30),
        datetime(2026, 11, 16, 10, 30, tzinfo=timezone(timedelta(hours=1))),
    ],
)
def test_timestamps_must_be_utc(created_at: datetime) -> None:
    with pytest.raises(ValidationError, match="UTC"):
        raw(created_at=created_at)


def test_unknown_fields_and_wrong_types_are_refused() -> None:
    with pytest.raises(ValidationError, match="Extra inputs"):
        raw(handle="@someone")
    with pytest.raises(ValidationError, match="native_id"):
        raw(native_id=110)


def test_complaint_is_always_negative() -> None:
    with pytest.raises(ValidationError, match="always negative"):
        analysis(sentiment="neutral")


def test_enriched_mention_drops_the_original_text() -> None:
    enriched = EnrichedMention.from_raw(
        raw(text="écrivez-moi à jeanne@example.org"),
        analysis(text_redacted="écrivez-moi à [EMAIL]"),
        pipeline_version="test",
        processed_at=NOW,
    )
    dumped = json.loads(enriched.model_dump_json())
    assert "text" not in dumped
    assert "jeanne@example.org" not in enriched.model_dump_json()
    assert dumped["id"] == "mastodon:110"
    assert EnrichedMention.model_validate_json(enriched.model_dump_json()) == enriched


@pytest.mark.parametrize("name", sorted(CONTRACTS))
def test_committed_json_schemas_match_the_models(name: str) -> None:
    path = JSON_DIR / f"{name}.schema.json"
    assert path.exists(), f"{path} missing: run `python -m schemas.export`"
    assert path.read_text(encoding="utf-8") == render(CONTRACTS[name]), (
        f"{path} is stale: run `python -m schemas.export`"
    )


def test_a_review_rating_is_one_to_five_stars_and_carried_to_the_enriched_mention() -> None:
    assert raw().rating is None
    for stars in (0, 6):
        with pytest.raises(ValidationError, match="rating"):
            raw(source="google_reviews", rating=stars)
    rated = raw(source="google_reviews", rating=1)
    enriched = EnrichedMention.from_raw(
        rated, analysis(), pipeline_version="test", processed_at=NOW
    )
    assert enriched.rating == 1
    assert json.loads(enriched.model_dump_json())["rating"] == 1
