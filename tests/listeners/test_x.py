"""X: recent search paged with next_token and resumed with since_id; the filtered stream."""

import json
import time
from typing import Any

import pytest

from listeners import x
from listeners.checkpoints import MemoryCheckpoints
from listeners.pseudonym import pseudonymise
from listeners.retry import SourceUnavailableError
from tests.listeners.conftest import KEY, drain, make_context, mentions, read_stream, source
from tests.listeners.fakeapi import FakeApi, Reply, Request, json_reply

SEARCH = "/2/tweets/search/recent"
STREAM = "/2/tweets/search/stream"
RULES = "/2/tweets/search/stream/rules"


@pytest.fixture(autouse=True)
def token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(x.TOKEN_VARIABLE, "test-bearer")


def tweet(
    tweet_id: str, author: str = "u1", text: str = "La médiathèque de Lanvern"
) -> dict[str, Any]:
    return {
        "id": tweet_id,
        "text": text,
        "author_id": author,
        "created_at": "2026-11-10T09:00:00.000Z",
        "lang": "fr",
        "edit_history_tweet_ids": [tweet_id],
        "public_metrics": {"retweet_count": 1, "reply_count": 2, "like_count": 3, "quote_count": 0},
    }


USERS = {
    "users": [
        {"id": "u1", "name": "Lou", "username": "lou_k"},
        {"id": "u2", "name": "Médias", "username": "MediasKerbrient"},
    ]
}


def page(tweets: list[dict[str, Any]], next_token: str | None = None) -> Reply:
    ids = [t["id"] for t in tweets if "id" in t]
    meta: dict[str, Any] = {"result_count": len(tweets)}
    if ids:
        meta |= {"newest_id": max(ids, key=int), "oldest_id": min(ids, key=int)}
    if next_token:
        meta["next_token"] = next_token
    body: dict[str, Any] = {"meta": meta}
    if tweets:
        body |= {"data": tweets, "includes": USERS}
    return json_reply(body)


def config(api: FakeApi, **extra: object):  # type: ignore[no-untyped-def]
    return source(
        {"id": "x-test", "type": "x", "api_url": api.url, "queries": ["médiathèque"]} | extra
    )


def test_pages_are_followed_malformed_tweets_skipped_and_a_restart_resumes(api: FakeApi) -> None:
    api.route(
        "GET",
        SEARCH,
        page([tweet("30"), tweet("20", author="u2")], next_token="p2"),
        page([tweet("10"), {"id": "5", "author_id": "u1"}]),  # the last one has no text
        page([]),
    )
    store, context = MemoryCheckpoints(), make_context()
    pages = drain(config(api), context, store)
    found = mentions(pages)
    assert [m.id for m in found] == ["x:30", "x:20", "x:10"]
    assert sum(p.malformed for p in pages) == 1
    first = found[0]
    assert first.author.pseudonym == pseudonymise(KEY, "x", "lou_k")
    assert not first.author.institution
    assert found[1].author.pseudonym == "mediaskerbrient" and found[1].author.institution
    assert first.query == "médiathèque" and first.engagement.likes == 3
    assert first.url == "https://x.com/lou_k/status/30"
    calls = api.calls(SEARCH)
    assert calls[0].headers["authorization"] == "Bearer test-bearer"
    assert calls[1].query["next_token"] == "p2"
    assert "since_id" not in calls[0].query
    assert store.get("x-test", "médiathèque") == {"mark": "30"}

    again = drain(config(api), context, store)
    assert mentions(again) == []
    assert api.calls(SEARCH)[2].query["since_id"] == "30"


def test_a_sweep_cut_by_max_pages_resumes_from_its_page_token(api: FakeApi) -> None:
    api.route(
        "GET",
        SEARCH,
        page([tweet("30")], next_token="p2"),
        page([tweet("20")]),
        page([]),
    )
    store, context = MemoryCheckpoints(), make_context()
    drain(config(api, max_pages=1), context, store)
    assert store.get("x-test", "médiathèque") == {"mark": None, "token": "p2", "newest": "30"}
    second = drain(config(api, max_pages=1), context, store)
    assert [m.id for m in mentions(second)] == ["x:20"]
    assert api.calls(SEARCH)[1].query["next_token"] == "p2"
    assert store.get("x-test", "médiathèque") == {"mark": "30"}


def test_429_waits_for_the_reset_header_and_500_is_retried(api: FakeApi) -> None:
    def rate_limited(request: Request) -> Reply:  # resets 1 to 2 s after the request
        reset = str(int(time.time()) + 2)
        return json_reply({"title": "Too Many Requests"}, 429, **{"x-rate-limit-reset": reset})

    api.route(
        "GET",
        SEARCH,
        rate_limited,
        json_reply({"title": "Internal"}, 500),
        page([tweet("7")]),
    )
    found = mentions(drain(config(api), make_context(), MemoryCheckpoints()))
    assert [m.id for m in found] == ["x:7"]
    calls = api.calls(SEARCH)
    assert len(calls) == 3
    assert calls[1].at - calls[0].at >= 0.9  # waited for the reset, not just the backoff


def test_a_source_that_keeps_failing_raises_a_clear_error(api: FakeApi) -> None:
    api.route("GET", SEARCH, json_reply({"title": "Internal"}, 500))
    with pytest.raises(SourceUnavailableError, match="HTTP 500"):
        drain(config(api), make_context(), MemoryCheckpoints())
    assert len(api.calls(SEARCH)) == 4  # FAST_RETRY tries


def test_the_stream_syncs_its_rules_once_and_reconnects_when_dropped(api: FakeApi) -> None:
    rules = {
        "data": [
            {"id": "1", "value": "old query", "tag": "murmure"},
            {"id": "2", "value": "someone else's rule", "tag": "other"},
        ]
    }
    synced = {"data": [{"id": "3", "value": "médiathèque", "tag": "murmure"}]}
    api.route("GET", RULES, json_reply(rules), json_reply(synced))
    api.route("POST", RULES, json_reply({"meta": {"summary": {}}}))

    def line(tweet_id: str) -> bytes:
        return json.dumps(
            {
                "data": tweet(tweet_id),
                "includes": USERS,
                "matching_rules": [{"id": "3", "tag": "murmure"}],
            }
        ).encode()

    api.route(
        "GET",
        STREAM,
        Reply(lines=[line("101"), b"", b"{broken"]),  # a keep-alive, a broken line, then dropped
        Reply(lines=[line("102")], keep_alive=b""),  # then open, with keep-alives, until stopped
    )
    context = make_context()
    stream = x.stream(config(api, stream=True), context, lambda q: None)
    pages = read_stream(stream, context, until=lambda pages: len(mentions(pages)) == 2)

    found = mentions(pages)
    assert [m.id for m in found] == ["x:101", "x:102"]  # across the drop, nothing lost
    assert {m.query for m in found} == {"médiathèque"}
    assert sum(p.malformed for p in pages) == 1  # the broken line; the keep-alive is no item
    # The rules were synced once, before the first connection, not again on the reconnection.
    assert [r.path for r in api.requests] == [RULES] * 4 + [STREAM] * 2
    assert [(r.method, json.loads(r.body or b"null")) for r in api.calls(RULES)] == [
        ("GET", None),
        ("POST", {"delete": {"ids": ["1"]}}),
        ("POST", {"add": [{"value": "médiathèque", "tag": "murmure"}]}),
        ("GET", None),
    ]
    # Stopped, the stream hangs up the open connection and does not reconnect.
    api.wait_for(lambda: len(api.hung_up(STREAM)) == 1, "the stream closed its connection")
    assert api.hung_up(STREAM)[0] == api.calls(STREAM)[1]
    assert len(api.calls(STREAM)) == 2


def test_a_stream_refused_by_the_access_level_says_so(api: FakeApi) -> None:
    api.route("GET", RULES, json_reply({"data": []}))
    api.route("POST", RULES, json_reply({"meta": {}}))
    api.route("GET", STREAM, json_reply({"title": "Forbidden"}, 403))
    from listeners.retry import StreamNotAllowedError

    with pytest.raises(StreamNotAllowedError):
        list(x.stream(config(api, stream=True), make_context(), lambda q: None))
