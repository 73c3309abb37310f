"""Mastodon: hashtag timelines and searches, paged forward with min_id and resumed from it."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from listeners import mastodon
from listeners.checkpoints import MemoryCheckpoints
from listeners.pseudonym import pseudonymise
from tests.listeners.conftest import KEY, drain, make_context, make_profile, mentions, source
from tests.listeners.fakeapi import FakeApi, Reply, Request, json_reply

TAG = "/api/v1/timelines/tag/Kerbrient"


def status(
    status_id: str, acct: str = "lou", content: str = "<p>La <b>média</b> est fermée ?</p>"
) -> dict[str, Any]:
    return {
        "id": status_id,
        "uri": f"https://social.kerbrient.example/users/{acct}/statuses/{status_id}",
        "url": f"https://social.kerbrient.example/@{acct}/{status_id}",
        "created_at": "2026-11-10T09:00:00.000Z",
        "account": {"id": "9", "username": acct.split("@")[0], "acct": acct, "display_name": "Lou"},
        "content": content,
        "spoiler_text": "",
        "language": "fr",
        "visibility": "public",
        "favourites_count": 2,
        "reblogs_count": 1,
        "replies_count": 0,
        "reblog": None,
        "mentions": [],
        "tags": [{"name": "kerbrient", "url": "https://social.kerbrient.example/tags/kerbrient"}],
    }


def config(api: FakeApi, **extra: object):  # type: ignore[no-untyped-def]
    return source(
        {"id": "masto", "type": "mastodon", "instance": api.url, "hashtags": ["Kerbrient"]}
        | {"own_replies": False}
        | extra
    )


def test_hashtag_pages_forward_skip_malformed_and_resume(
    api: FakeApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mastodon, "PAGE_SIZE", 2)
    boosted = status("12", acct="ami@autre.example") | {
        "reblog": status("5", acct="mediatheques@social.kerbrient.example")
    }
    api.route(
        "GET",
        TAG,
        json_reply([status("11"), status("10", acct="zoe@piaille.example")]),
        json_reply([boosted, {"id": "13", "account": {"acct": "x"}}]),  # no content
        json_reply([]),
        json_reply([]),
    )
    store, context = MemoryCheckpoints(), make_context()
    pages = drain(config(api), context, store)
    found = mentions(pages)
    assert [m.id for m in found] == ["mastodon:11", "mastodon:10", "mastodon:5"]
    assert sum(p.malformed for p in pages) == 1
    assert found[0].text == "La média est fermée ?"
    host = "127.0.0.1"
    assert found[0].author.pseudonym == pseudonymise(KEY, "mastodon", f"lou@{host}")
    assert found[2].author.institution  # a boost of the library's own post
    calls = api.calls(TAG)
    assert "min_id" not in calls[0].query
    assert calls[1].query["min_id"] == "11"
    assert calls[2].query["min_id"] == "13"
    assert store.get("masto", "#Kerbrient") == {"mark": "13"}

    assert mentions(drain(config(api), context, store)) == []
    assert api.calls(TAG)[3].query["min_id"] == "13"


def test_search_pages_and_429_honours_the_reset_time(api: FakeApi) -> None:
    def rate_limited(request: Request) -> Reply:  # resets 2 s after the request
        return json_reply(
            {"error": "Too many requests"},
            429,
            **{
                "X-RateLimit-Reset": (datetime.now(UTC) + timedelta(seconds=2)).isoformat(),
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Limit": "300",
            },
        )

    api.route(
        "GET",
        "/api/v2/search",
        rate_limited,
        json_reply({"error": "boom"}, 503),
        json_reply({"accounts": [], "hashtags": [], "statuses": [status("21")]}),
    )
    context = make_context(make_profile().model_copy(update={"hashtags": []}))
    found = mentions(
        drain(
            config(api, hashtags=[], queries=["médiathèque Lanvern"]), context, MemoryCheckpoints()
        )
    )
    assert [m.id for m in found] == ["mastodon:21"]
    calls = api.calls("/api/v2/search")
    assert calls[0].query["q"] == "médiathèque Lanvern" and calls[0].query["type"] == "statuses"
    assert calls[1].at - calls[0].at >= 0.9
    assert len(calls) == 3
