"""What the mention contracts refuse, or clean, because one such record could stop a later stage:
dates no post can have, links that are not web links, control characters in a post."""

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from config.settings import get_settings
from schemas import EnrichedMention, RawMention
from schemas.alert import AlertMention
from tests.schemas.test_contracts import NOW, analysis, raw


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def test_a_post_dated_after_it_was_fetched_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"created_at .* after fetched_at"):
        raw(created_at=datetime(9999, 12, 31, tzinfo=UTC))
    with pytest.raises(ValidationError, match="created_at"):
        raw(created_at=NOW + timedelta(hours=1))


def test_a_small_clock_skew_is_tolerated_and_configurable(settings_env: pytest.MonkeyPatch) -> None:
    skew = get_settings().max_clock_skew
    assert timedelta(0) < skew <= timedelta(minutes=15)
    assert raw(created_at=NOW + skew).created_at == NOW + skew
    with pytest.raises(ValidationError, match="created_at"):
        raw(created_at=NOW + skew + timedelta(seconds=1))
    settings_env.setenv("MURMURE_MAX_CLOCK_SKEW_S", "3600")
    get_settings.cache_clear()
    assert raw(created_at=NOW + timedelta(minutes=59)).created_at == NOW + timedelta(minutes=59)


def test_a_post_older_than_the_networks_is_refused(settings_env: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValidationError, match=r"created_at .* before"):
        raw(created_at=datetime(1970, 1, 1, tzinfo=UTC))
    with pytest.raises(ValidationError, match=r"created_at .* before"):
        raw(created_at=datetime(1, 1, 1, tzinfo=UTC))
    assert raw(created_at=datetime(2001, 3, 4, tzinfo=UTC)).id
    settings_env.setenv("MURMURE_OLDEST_POST", "2010-01-01T00:00:00Z")
    get_settings.cache_clear()
    with pytest.raises(ValidationError, match=r"created_at .* before"):
        raw(created_at=datetime(2001, 3, 4, tzinfo=UTC))


def test_fetched_in_the_future_of_the_stage_that_receives_it_is_refused() -> None:
    fields = json.loads(raw().model_dump_json())
    future = fields | {"created_at": "9999-12-31T00:00:00Z", "fetched_at": "9999-12-31T00:00:00Z"}
    # Consistent with itself (created = fetched), so only a clock can tell it is wrong.
    assert RawMention.model_validate_json(json.dumps(future)).created_at.year == 9999
    with pytest.raises(ValidationError, match=r"fetched_at .* after .* received"):
        RawMention.model_validate_json(
            json.dumps(future), context={"received_at": datetime.now(UTC)}
        )
    assert RawMention.model_validate_json(
        json.dumps(fields), context={"received_at": datetime.now(UTC)}
    )


def test_processed_before_fetched_is_refused() -> None:
    with pytest.raises(ValidationError, match="processed_at"):
        EnrichedMention.from_raw(
            raw(), analysis(), pipeline_version="t", processed_at=NOW - timedelta(days=1)
        )


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        "JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox",
        "//evil.example/x",
        "/relative/path",
        "https://",
        "https://exa mple.org/",
        "https://example.org/\nBcc: x@evil.example",
        "ftp://files.example/x",
    ],
)
def test_only_web_links_are_accepted(url: str) -> None:
    with pytest.raises(ValidationError, match="url"):
        raw(url=url)
    # What Murmure derives from mentions, or reads back from older documents, drops the link.
    assert AlertMention(id="x:1", text_redacted="t", created_at=NOW, url=url).url is None


@pytest.mark.parametrize(
    "url", ["https://mastodon.example/@x/110", "HTTP://Example.org/a?b=c#d", None]
)
def test_web_links_pass_unchanged(url: str | None) -> None:
    assert raw(url=url).url == url


def test_control_characters_are_removed_from_post_text() -> None:
    mention = raw(text="Le wifi\x00 de la BU\x07 ne\x1b[31m marche plus\tdu tout\r\n!\x7f")
    assert mention.text == "Le wifi de la BU ne[31m marche plus\tdu tout\r\n!"
    cleaned = analysis(text_redacted="wifi\x00 HS")
    assert cleaned.text_redacted == "wifi HS"
    with pytest.raises(ValidationError, match="text"):
        raw(text="\x00\x00")  # nothing left once cleaned
