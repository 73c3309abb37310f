"""Reddit: app-only OAuth, subreddit search newest first, paged with `after`, resumed by time."""

from typing import Any

import pytest

from listeners import reddit
from listeners.checkpoints import MemoryCheckpoints
from listeners.pseudonym import pseudonymise
from tests.listeners.conftest import KEY, drain, make_context, mentions, source
from tests.listeners.fakeapi import FakeApi, json_reply

SEARCH = "/r/Kerbrient+etudiants_kerbrient/search"
TOKEN = json_reply(
    {"access_token": "app-token", "token_type": "bearer", "expires_in": 86400, "scope": "*"}
)


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(reddit.ID_VARIABLE, "client-id")
    monkeypatch.setenv(reddit.SECRET_VARIABLE, "client-secret")


def post(short: str, created: float, author: str = "lou_k") -> dict[str, Any]:
    return {
        "kind": "t3",
        "data": {
            "id": short,
            "name": f"t3_{short}",
            "author": author,
            "title": "La BU du Stang fermée samedi ?",
            "selftext": "Quelqu'un sait ?",
            "created_utc": created,
            "permalink": f"/r/Kerbrient/comments/{short}/la_bu/",
            "subreddit": "Kerbrient",
            "score": 5,
            "num_comments": 2,
        },
    }


def listing(children: list[dict[str, Any]], after: str | None = None) -> dict[str, Any]:
    return {
        "kind": "Listing",
        "data": {"after": after, "before": None, "dist": len(children), "children": children},
    }


def config(api: FakeApi):  # type: ignore[no-untyped-def]
    return source(
        {
            "id": "reddit",
            "type": "reddit",
            "own_replies": False,
            "subreddits": ["Kerbrient", "r/etudiants_kerbrient"],
            "queries": ["BU Stang"],
            "api_url": api.url,
            "auth_url": api.url,
        }
    )


def test_search_pages_skip_malformed_and_stop_at_the_checkpoint(api: FakeApi) -> None:
    api.route("POST", "/api/v1/access_token", TOKEN)
    api.route(
        "GET",
        SEARCH,
        json_reply(
            listing(
                [post("c", 1_700_000_300), post("b", 1_700_000_200, "MediasKerbrient")],
                after="t3_b",
            )
        ),
        json_reply(listing([post("a", 1_700_000_100), {"kind": "t3", "data": {"name": "t3_x"}}])),
        json_reply(listing([post("d", 1_700_000_400), post("c", 1_700_000_300)], after="t3_c")),
    )
    store, context = MemoryCheckpoints(), make_context()
    pages = drain(config(api), context, store)
    found = mentions(pages)
    assert [m.id for m in found] == ["reddit:t3_c", "reddit:t3_b", "reddit:t3_a"]
    assert sum(p.malformed for p in pages) == 1
    assert found[0].author.pseudonym == pseudonymise(KEY, "reddit", "lou_k")
    assert found[1].author.institution
    assert found[0].text == "La BU du Stang fermée samedi ?\nQuelqu'un sait ?"
    calls = api.calls(SEARCH)
    assert calls[0].headers["authorization"] == "bearer app-token"
    assert calls[0].query["q"] == "BU Stang" and calls[0].query["sort"] == "new"
    assert calls[1].query["after"] == "t3_b"

    again = mentions(drain(config(api), context, store))  # stops at the checkpoint: no page 2
    assert [m.id for m in again] == ["reddit:t3_d"]
    assert len(api.calls(SEARCH)) == 3


def test_429_with_reset_header_is_waited_out(api: FakeApi) -> None:
    api.route("POST", "/api/v1/access_token", TOKEN)
    api.route(
        "GET",
        SEARCH,
        json_reply(
            {"message": "Too Many Requests", "error": 429},
            429,
            **{"x-ratelimit-reset": "2", "x-ratelimit-remaining": "0", "x-ratelimit-used": "100"},
        ),
        json_reply(listing([post("e", 1_700_000_500)])),
    )
    found = mentions(drain(config(api), make_context(), MemoryCheckpoints()))
    assert [m.id for m in found] == ["reddit:t3_e"]
    calls = api.calls(SEARCH)
    assert calls[1].at - calls[0].at >= 0.9
