"""Replay turns recorded posts into pseudonymised mentions and reports bad lines by number."""

import json
from pathlib import Path

import pytest
from pydantic import SecretStr

from config.profile import load_profile
from listeners.pseudonym import pseudonymise
from listeners.replay import BadLine, replay
from schemas import RawMention

SAMPLES = Path(__file__).parents[2] / "samples"
KEY = SecretStr("a-test-key-that-is-long-enough")


@pytest.fixture(scope="module")
def profile():  # type: ignore[no-untyped-def]
    return load_profile(SAMPLES / "profile.yml")


def post(**changes: object) -> str:
    fields = {
        "source": "mastodon",
        "native_id": "1",
        "url": "https://piaille.example/@lou/1",
        "author_handle": "lou@piaille.example",
        "text": "La média est fermée ?",
        "created_at": "2026-10-01T10:00:00Z",
        "likes": 1,
        "shares": 0,
        "replies": 0,
        "lang_hint": "fr",
    }
    return json.dumps(fields | changes, ensure_ascii=False)


def test_pseudonyms_are_stable_keyed_and_hide_the_handle() -> None:
    one = pseudonymise(KEY, "mastodon", "@Lou@piaille.example")
    assert one == pseudonymise(KEY, "mastodon", "lou@piaille.example")
    assert one != pseudonymise(
        SecretStr("another-key-long-enough!"), "mastodon", "lou@piaille.example"
    )
    assert one != pseudonymise(KEY, "bluesky", "lou@piaille.example")
    assert "lou" not in one


def test_bad_lines_are_reported_with_their_number_and_the_rest_kept(
    tmp_path: Path, profile: object
) -> None:
    path = tmp_path / "stream.jsonl"
    path.write_text(
        "\n".join(
            [post(), "{not json", post(native_id="2", created_at="yesterday"), post(native_id="3")]
        )
        + "\n",
        encoding="utf-8",
    )
    items = list(replay(path, profile=profile, key=KEY))  # type: ignore[arg-type]
    mentions = [item for item in items if isinstance(item, RawMention)]
    bad = [item for item in items if isinstance(item, BadLine)]
    assert [m.id for m in mentions] == ["mastodon:1", "mastodon:3"]
    assert [b.line for b in bad] == [2, 3]
    assert "not JSON" in bad[0].error
    assert "created_at" in bad[1].error
    assert mentions[0].author.pseudonym == pseudonymise(KEY, "mastodon", "lou@piaille.example")
    assert not mentions[0].author.institution


def test_the_library_s_own_accounts_stay_in_clear(tmp_path: Path, profile) -> None:  # type: ignore[no-untyped-def]
    own = next(account for account in profile.accounts if account.source == "mastodon")
    path = tmp_path / "stream.jsonl"
    path.write_text(post(author_handle=own.handle) + "\n", encoding="utf-8")
    (mention,) = list(replay(path, profile=profile, key=KEY))
    assert isinstance(mention, RawMention)
    assert mention.author.institution
    assert mention.author.pseudonym == own.handle.lstrip("@").casefold()


def test_a_recorded_review_keeps_its_stars(tmp_path: Path, profile: object) -> None:
    path = tmp_path / "stream.jsonl"
    review = post(source="google_reviews", native_id="r1", rating=2)
    path.write_text(review + "\n" + post(native_id="r2", rating=9) + "\n", encoding="utf-8")
    mention, bad = list(replay(path, profile=profile, key=KEY))  # type: ignore[arg-type]
    assert isinstance(mention, RawMention) and mention.rating == 2
    assert isinstance(bad, BadLine) and "rating" in bad.error
