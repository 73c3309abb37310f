"""Instagram: media that tag the account, and comments on its recent media."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from listeners import graph
from listeners.checkpoints import MemoryCheckpoints
from tests.listeners.conftest import drain, make_context, mentions, source
from tests.listeners.fakeapi import FakeApi, json_reply

ACCOUNT = "178414"


@pytest.fixture(autouse=True)
def token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(graph.TOKEN_VARIABLE, "EAAG-page-token")


def stamp(days_ago: float) -> str:
    return (datetime.now(UTC) - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%S+0000")


def comment(comment_id: str, days_ago: float, user: str = "lou.k") -> dict[str, Any]:
    return {
        "id": comment_id,
        "text": "Plus de place au Stang",
        "timestamp": stamp(days_ago),
        "username": user,
        "like_count": 1,
    }


def test_tags_and_comments_of_recent_media_then_a_restart(api: FakeApi) -> None:
    api.route(
        "GET",
        f"/v26.0/{ACCOUNT}/tags",
        json_reply(
            {
                "data": [
                    {
                        "id": "m9",
                        "caption": "Atelier BD à la BU Stang",
                        "timestamp": stamp(1),
                        "username": "zoe",
                        "permalink": "https://www.instagram.com/p/m9/",
                    }
                ]
            }
        ),
    )
    api.route(
        "GET",
        f"/v26.0/{ACCOUNT}/media",
        json_reply(
            {"data": [{"id": "m2", "timestamp": stamp(2)}, {"id": "m1", "timestamp": stamp(60)}]}
        ),
    )
    api.route(
        "GET",
        "/v26.0/m2/comments",
        json_reply(
            {
                "data": [
                    comment("k1", 1.5),
                    comment("k2", 1, user="mediatheques_kerbrient"),
                    {"id": "k0"},
                ]
            }
        ),
        json_reply({"data": [comment("k1", 1.5), comment("k2", 1), comment("k3", 0.5)]}),
    )
    config = source({"id": "ig", "type": "instagram", "accounts": [ACCOUNT], "api_url": api.url})
    store, context = MemoryCheckpoints(), make_context()
    pages = drain(config, context, store)
    found = mentions(pages)
    assert [m.id for m in found] == ["instagram:m9", "instagram:k1", "instagram:k2"]
    assert found[2].author.institution
    assert sum(p.malformed for p in pages) == 1
    assert api.calls("/v26.0/m1/comments") == []  # older than comment_days

    assert [m.id for m in mentions(drain(config, context, store))] == ["instagram:k3"]
