"""X: recent search paged with next_token and resumed with since_id; the filtered stream."""

import json
import logging
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from prometheus_client import REGISTRY

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
        {
            "id": "x-test",
            "type": "x",
            "api_url": api.url,
            "queries": ["médiathèque"],
            "own_replies": False,
        }
        | extra
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


# --- what recorded traffic of the real API shows ------------------------------------------------

LONG = "La salle d'étude de la médiathèque de Lanvern " * 8  # 376 characters
ORIGINAL_ID = "1855000000000000001"
ORIGINAL: dict[str, Any] = {
    "id": ORIGINAL_ID,
    "text": LONG[:279] + "…",
    "note_tweet": {"text": LONG.strip(), "entities": {}},
    "author_id": "u2",
    "created_at": "2026-11-09T08:00:00.000Z",
    "lang": "fr",
    "edit_history_tweet_ids": [ORIGINAL_ID],
    "public_metrics": {"retweet_count": 4, "reply_count": 1, "like_count": 9, "quote_count": 1},
}


def repost(tweet_id: str, original: str, kind: str, text: str) -> dict[str, Any]:
    return tweet(tweet_id, text=text) | {"referenced_tweets": [{"type": kind, "id": original}]}


def test_long_posts_reposts_and_quotes_are_whole_and_keyed_once(api: FakeApi) -> None:
    retweet = repost(
        "1856000000000000003", ORIGINAL_ID, "retweeted", "RT @MediasKerbrient: " + LONG[:100]
    )
    quote = repost("1856000000000000002", ORIGINAL_ID, "quoted", "Enfin un peu de calme !")
    gone = repost("1856000000000000001", "1700000000000000000", "retweeted", "RT @x: parti…")
    body = {
        "data": [retweet, quote, gone, ORIGINAL],
        "includes": {"users": USERS["users"], "tweets": [ORIGINAL]},
        "errors": [
            {
                "value": "1700000000000000000",
                "detail": "Could not find tweet with referenced_tweets.id: [1700000000000000000].",
                "title": "Not Found Error",
                "resource_type": "tweet",
                "parameter": "referenced_tweets.id",
                "resource_id": "1700000000000000000",
                "type": "https://api.twitter.com/2/problems/resource-not-found",
            }
        ],
        "meta": {
            "newest_id": retweet["id"],
            "oldest_id": ORIGINAL["id"],
            "result_count": 4,
        },
    }
    api.route("GET", SEARCH, json_reply(body))
    pages = drain(config(api), make_context(), MemoryCheckpoints())
    found = mentions(pages)
    assert [m.id for m in found] == [f"x:{ORIGINAL['id']}", f"x:{quote['id']}", found[2].id]
    from_repost, own_quote, direct = found
    assert from_repost == direct.model_copy(update={"fetched_at": from_repost.fetched_at})
    assert from_repost.text == LONG.strip() and "…" not in from_repost.text
    assert from_repost.author.institution  # the original's author, not the reposter
    assert from_repost.engagement.shares == 5 and from_repost.engagement.likes == 9
    assert from_repost.url == f"https://x.com/MediasKerbrient/status/{ORIGINAL['id']}"
    assert own_quote.text == "Enfin un peu de calme !"
    assert own_quote.author.pseudonym == pseudonymise(KEY, "x", "lou_k")
    assert sum(p.malformed for p in pages) == 0  # the repost of a deleted post is no mention
    sent = api.calls(SEARCH)[0].query
    assert {"note_tweet", "referenced_tweets"} <= set(sent["tweet.fields"].split(","))
    assert set(sent["expansions"].split(",")) == {
        "author_id",
        "referenced_tweets.id",
        "referenced_tweets.id.author_id",
    }


TWITTER_EPOCH_MS = 1288834974657  # post ids are (milliseconds since this) << 22


def snowflake(when: datetime) -> str:
    return str((int(when.timestamp() * 1000) - TWITTER_EPOCH_MS) << 22)


def created(post_id: str) -> datetime:
    return datetime.fromtimestamp(((int(post_id) >> 22) + TWITTER_EPOCH_MS) / 1000, UTC)


def recent_search(tweets: list[dict[str, Any]]) -> Any:
    """Recent search as X serves it: a since_id or start_time older than 7 days is refused."""

    def answer(request: Request) -> Reply:
        oldest = datetime.now(UTC) - timedelta(days=7)
        floor = oldest.strftime("%Y-%m-%dT%H:%MZ")
        since_id, start = request.query.get("since_id"), request.query.get("start_time")
        if since_id and created(since_id) < oldest:
            message = (
                f"'since_id' must be a tweet id created after {floor}. Please use a 'since_id' "
                f"that is larger than {snowflake(oldest)}"
            )
            return invalid({"since_id": [since_id]}, message)
        if start and datetime.fromisoformat(start.replace("Z", "+00:00")) < oldest:
            message = f"Invalid 'start_time':'{start}'. 'start_time' must be on or after {floor}"
            return invalid({"start_time": [start]}, message)
        return page(tweets)

    return answer


def invalid(parameters: dict[str, list[str]], message: str) -> Reply:
    return json_reply(
        {
            "errors": [{"parameters": parameters, "message": message}],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": "https://api.twitter.com/2/problems/invalid-request",
        },
        400,
    )


def gaps() -> tuple[float, float]:
    def value(name: str) -> float:
        return REGISTRY.get_sample_value(name, {"source": "x-test"}) or 0.0

    return value("murmure_listener_gaps_total"), value("murmure_listener_gap_seconds_total")


def test_a_checkpoint_older_than_7_days_falls_back_to_start_time_and_counts_the_gap(
    api: FakeApi, caplog: pytest.LogCaptureFixture
) -> None:
    fresh = tweet(snowflake(datetime.now(UTC) - timedelta(hours=1)))
    api.route("GET", SEARCH, recent_search([fresh]))
    store, context = MemoryCheckpoints(), make_context()
    stale = snowflake(datetime.now(UTC) - timedelta(days=10))
    store.save("x-test", "médiathèque", {"mark": stale, "token": "old-page", "newest": stale})
    before = gaps()
    with caplog.at_level(logging.WARNING, logger="listeners.x"):
        found = mentions(drain(config(api), context, store))
    assert [m.id for m in found] == [f"x:{fresh['id']}"]
    refused, retried = api.calls(SEARCH)
    assert refused.query["since_id"] == stale and refused.query["next_token"] == "old-page"
    assert "since_id" not in retried.query and "next_token" not in retried.query
    start = datetime.fromisoformat(retried.query["start_time"].replace("Z", "+00:00"))
    expected = datetime.now(UTC) - x.RECENT_WINDOW + x.WINDOW_MARGIN
    assert abs((start - expected).total_seconds()) < 60
    warnings = [r.getMessage() for r in caplog.records if "could not be recovered" in r.message]
    assert len(warnings) == 1 and "3 days, 0:" in warnings[0]
    count, seconds = gaps()
    assert count == before[0] + 1
    assert abs(seconds - before[1] - (3 * 86_400 + 600)) < 120
    assert store.get("x-test", "médiathèque") == {"mark": fresh["id"]}

    drain(config(api), context, store)  # back on since_id, no gap
    assert api.calls(SEARCH)[2].query["since_id"] == fresh["id"]
    assert gaps()[0] == count


def test_a_start_time_mark_goes_on_until_x_refuses_it_too(api: FakeApi) -> None:
    api.route("GET", SEARCH, recent_search([]))
    store, context = MemoryCheckpoints(), make_context()
    store.save("x-test", "médiathèque", {"mark": snowflake(datetime.now(UTC) - timedelta(days=8))})
    drain(config(api), context, store)
    mark = store.get("x-test", "médiathèque")["mark"]  # type: ignore[index]
    assert not mark.isdigit()  # nothing found since: the start time is the mark
    drain(config(api), context, store)
    assert api.calls(SEARCH)[2].query["start_time"] == mark

    store.save("x-test", "médiathèque", {"mark": "2026-01-01T00:00:00Z"})
    before = gaps()[0]
    drain(config(api), context, store)
    refused, retried = api.calls(SEARCH)[3:]
    assert refused.query["start_time"] == "2026-01-01T00:00:00Z"
    assert retried.query["start_time"] > "2026-01-01T00:00:00Z"
    assert gaps()[0] == before + 1


def test_other_bad_requests_still_fail_without_a_fallback(api: FakeApi) -> None:
    message = "There were errors processing your request: Missing closing parenthesis"
    api.route("GET", SEARCH, invalid({"query": ["(médiathèque"]}, message))
    before = gaps()[0]
    with pytest.raises(SourceUnavailableError, match="HTTP 400"):
        drain(config(api), make_context(), MemoryCheckpoints())
    assert len(api.calls(SEARCH)) == 1 and gaps()[0] == before


def test_a_start_time_refused_too_fails_the_poll_clearly(api: FakeApi) -> None:
    message = "Invalid 'start_time'. 'start_time' must be on or after 2026-12-01T00:00Z"
    api.route("GET", SEARCH, invalid({"start_time": ["2026-11-30T00:00:00Z"]}, message))
    store = MemoryCheckpoints()
    store.save("x-test", "médiathèque", {"mark": "2026-11-01T00:00:00Z"})
    with pytest.raises(SourceUnavailableError, match="refused too"):
        drain(config(api), make_context(), store)
    assert len(api.calls(SEARCH)) == 2
    assert store.get("x-test", "médiathèque") == {"mark": "2026-11-01T00:00:00Z"}
