"""Bluesky: searchPosts paged with its cursor, resumed with `since` from the newest post."""

import time
from typing import Any

from listeners.checkpoints import MemoryCheckpoints
from listeners.pseudonym import pseudonymise
from tests.listeners.conftest import KEY, drain, make_context, mentions, source
from tests.listeners.fakeapi import FakeApi, Reply, Request, json_reply

SEARCH = "/xrpc/app.bsky.feed.searchPosts"


def post(
    rkey: str, indexed: str, handle: str = "lou.bsky.social", text: str = "BU Stang fermée"
) -> dict[str, Any]:
    return {
        "uri": f"at://did:plc:abc{handle[:3]}/app.bsky.feed.post/{rkey}",
        "cid": "bafyreib2rxk3rh6kzwq",
        "author": {"did": "did:plc:abc", "handle": handle, "displayName": "Lou", "labels": []},
        "record": {
            "$type": "app.bsky.feed.post",
            "text": text,
            "createdAt": indexed,
            "langs": ["fr"],
        },
        "indexedAt": indexed,
        "likeCount": 4,
        "repostCount": 1,
        "replyCount": 0,
        "quoteCount": 0,
        "labels": [],
    }


def config(api: FakeApi):  # type: ignore[no-untyped-def]
    return source(
        {"id": "bsky", "type": "bluesky", "api_url": f"{api.url}/xrpc", "queries": ["BU Stang"]}
    )


def test_cursor_pages_malformed_posts_and_resume_since_the_newest(api: FakeApi) -> None:
    newest = post("3kb", "2026-11-10T10:00:00.000Z", handle="mediatheques-kerbrient.bsky.social")
    api.route(
        "GET",
        SEARCH,
        json_reply({"posts": [newest, post("3ka", "2026-11-10T09:00:00.000Z")], "cursor": "c2"}),
        json_reply({"posts": [post("3k9", "2026-11-09T09:00:00.000Z"), {"uri": "at://broken"}]}),
        json_reply({"posts": [newest]}),  # `since` is inclusive: the newest comes back
    )
    store, context = MemoryCheckpoints(), make_context()
    pages = drain(config(api), context, store)
    found = mentions(pages)
    assert [m.native_id.rsplit("/", 1)[1] for m in found] == ["3kb", "3ka", "3k9"]
    assert (
        found[0].author.institution
        and found[0].author.pseudonym == "mediatheques-kerbrient.bsky.social"
    )
    assert found[1].author.pseudonym == pseudonymise(KEY, "bluesky", "lou.bsky.social")
    assert found[1].url == "https://bsky.app/profile/lou.bsky.social/post/3ka"
    assert sum(p.malformed for p in pages) == 1
    calls = api.calls(SEARCH)
    assert calls[0].query["q"] == "BU Stang" and calls[0].query["sort"] == "latest"
    assert calls[1].query["cursor"] == "c2"

    assert mentions(drain(config(api), context, store)) == []
    assert api.calls(SEARCH)[2].query["since"] == "2026-11-10T10:00:00.000Z"


def test_429_with_ratelimit_reset_then_a_502_are_waited_out(api: FakeApi) -> None:
    def rate_limited(request: Request) -> Reply:  # resets 1 to 2 s after the request
        reset = str(int(time.time()) + 2)
        return json_reply(
            {"error": "RateLimitExceeded"},
            429,
            **{"ratelimit-reset": reset, "ratelimit-remaining": "0"},
        )

    api.route(
        "GET",
        SEARCH,
        rate_limited,
        json_reply({"error": "UpstreamFailure"}, 502),
        json_reply({"posts": [post("3kc", "2026-11-10T11:00:00.000Z")]}),
    )
    found = mentions(drain(config(api), make_context(), MemoryCheckpoints()))
    assert len(found) == 1
    calls = api.calls(SEARCH)
    assert calls[1].at - calls[0].at >= 0.9 and len(calls) == 3
