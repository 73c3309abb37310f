"""Mastodon hashtag streams (server-sent events): delivery, drops, refusals, restarts.

The fake instance speaks Mastodon's streaming wire format: `event: update` and `data: <status
JSON>` separated by blank lines, `:thump`-style heartbeat comments, and a dropped connection
that simply ends.
"""

import json
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from listeners import mastodon
from listeners.checkpoints import MemoryCheckpoints
from listeners.context import Context, Page
from listeners.pseudonym import pseudonymise
from listeners.retry import StreamNotAllowedError
from tests.listeners.conftest import KEY, make_context, mentions, read_stream
from tests.listeners.fakeapi import FakeApi, Reply, Request, fake_api, json_reply
from tests.listeners.test_mastodon import TAG, config, status

STREAM = "/api/v1/streaming/hashtag"
INSTANCE = "/api/v2/instance/"  # where Mastodon.py asks for the instance's description
TOKEN = "user-token-for-tests"


@pytest.fixture(autouse=True)
def token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(mastodon.TOKEN_VARIABLE, TOKEN)


def event(name: str, data: bytes) -> list[bytes]:
    return [f"event: {name}".encode(), b"data: " + data, b""]


def update(item: dict[str, Any]) -> list[bytes]:
    return event("update", json.dumps(item).encode())


def sse(*events: list[bytes], hold: bool = False) -> Reply:
    """A stream sending `events`, then dropped; or, with `hold`, kept open with heartbeats until
    the listener hangs up or the test ends."""
    return Reply(
        200,
        headers={"Content-Type": "text/event-stream; charset=utf-8"},
        lines=[b":)", *(line for e in events for line in e)],
        line_gap=0.02,
        keep_alive=b":thump" if hold else None,
    )


def timeline(statuses: Callable[[], list[dict[str, Any]]]) -> Callable[[Request], Reply]:
    """The hashtag timeline as the instance serves it: what is newer than `min_id`."""

    def answer(request: Request) -> Reply:
        mark = int(request.query.get("min_id", 0))
        found = [s for s in statuses() if int(s["id"]) > mark]
        return json_reply(sorted(found, key=lambda s: -int(s["id"])))

    return answer


def run_stream(
    source: Any,
    context: Context,
    store: MemoryCheckpoints,
    until: Callable[[list[Page]], bool],
) -> list[Page]:
    """Reads the stream as the runner does (checkpoint saved after each page) until `until`."""

    def save(page: Page) -> None:
        if page.state is not None:
            store.save(source.id, page.query, page.state)

    pages = mastodon.stream(source, context, lambda q: store.get(source.id, q))
    return read_stream(pages, context, until, on_page=save)


def ids(pages: list[Page]) -> list[str]:
    return [m.id for m in mentions(pages)]


def has(*wanted: str) -> Callable[[list[Page]], bool]:
    return lambda pages: set(wanted) <= set(ids(pages))


def test_statuses_stream_in_pseudonymised_and_malformed_events_are_skipped(api: FakeApi) -> None:
    with fake_api() as streaming:  # a separate streaming server, advertised by the instance
        api.route(
            "GET",
            INSTANCE,
            json_reply({"configuration": {"urls": {"streaming": f"ws{streaming.url[4:]}"}}}),
        )
        api.route("GET", TAG, json_reply([]))
        streaming.route(
            "GET",
            STREAM,
            sse(
                update(status("101")),
                event("update", b"{broken"),
                update({"id": "103", "account": {"acct": "x"}}),  # no content
                event("delete", b"101"),
                update(status("104", acct="zoe@piaille.example")),
                hold=True,
            ),
        )
        store = MemoryCheckpoints()
        pages = run_stream(config(api, stream=True), make_context(), store, has("mastodon:104"))
        connections = streaming.calls(STREAM)

    assert ids(pages) == ["mastodon:101", "mastodon:104"]
    assert sum(p.malformed for p in pages) == 2
    first, second = mentions(pages)
    assert first.text == "La média est fermée ?" and first.query == "#Kerbrient"
    assert first.author.pseudonym == pseudonymise(KEY, "mastodon", "lou@127.0.0.1")
    assert second.author.pseudonym == pseudonymise(KEY, "mastodon", "zoe@piaille.example")
    assert store.get("masto", "#Kerbrient") == {"mark": "104"}
    assert len(connections) == 1
    assert connections[0].query == {"tag": "Kerbrient"}
    assert connections[0].headers["authorization"] == f"Bearer {TOKEN}"
    assert api.calls(STREAM) == []
    catch_up = api.calls(TAG)
    assert len(catch_up) == 1 and catch_up[0].at >= connections[0].at  # opened, then polled


def test_a_dropped_stream_reconnects_and_its_catch_up_poll_fills_the_gap(api: FakeApi) -> None:
    api.route("GET", INSTANCE, json_reply({"error": "Not found"}, 404))  # before Mastodon 4.0
    api.route(
        "GET",
        STREAM,
        json_reply({"error": "Service Unavailable"}, 503),  # retried with the backoff
        sse(update(status("201"))),  # then dropped
        sse(update(status("203")), update(status("204")), hold=True),
    )
    posted_while_away = [status("202"), status("203")]
    api.route(
        "GET",
        TAG,
        timeline(lambda: posted_while_away if len(api.calls(STREAM)) >= 3 else []),
    )
    store = MemoryCheckpoints()
    pages = run_stream(config(api, stream=True), make_context(), store, has("mastodon:204"))

    found = ids(pages)
    assert set(found) == {f"mastodon:{n}" for n in (201, 202, 203, 204)}
    assert Counter(found)["mastodon:202"] == 1  # only the catch-up poll could have it
    assert found.index("mastodon:202") < found.index("mastodon:204")
    assert len(api.calls(STREAM)) == 3
    polls = api.calls(TAG)
    assert "min_id" not in polls[0].query
    assert polls[1].query["min_id"] == "201"  # the mark the stream saved
    assert store.get("masto", "#Kerbrient") == {"mark": "204"}


def test_a_restart_resumes_from_the_checkpoint(api: FakeApi) -> None:
    api.route("GET", INSTANCE, json_reply({"error": "Not found"}, 404))
    posted: list[dict[str, Any]] = []
    api.route("GET", TAG, timeline(lambda: posted))
    api.route("GET", STREAM, sse(update(status("401")), hold=True))
    store = MemoryCheckpoints()
    run_stream(config(api, stream=True), make_context(), store, has("mastodon:401"))
    assert store.get("masto", "#Kerbrient") == {"mark": "401"}

    posted += [status("401"), status("402")]  # 402 came while the listener was down
    api.route("GET", STREAM, sse(update(status("403")), hold=True))
    pages = run_stream(config(api, stream=True), make_context(), store, has("mastodon:403"))
    assert ids(pages) == ["mastodon:402", "mastodon:403"]
    assert api.calls(TAG)[-1].query["min_id"] == "401"
    assert store.get("masto", "#Kerbrient") == {"mark": "403"}


@pytest.mark.parametrize(
    "refusal",
    [
        json_reply({"error": "This method requires an authenticated user"}, 401),
        json_reply({"error": "Forbidden"}, 403),
        json_reply({"error": "Not found"}, 404),
        json_reply({"error": "Not implemented"}, 501),
        Reply(200, "<html>Bienvenue</html>", {"Content-Type": "text/html"}),
    ],
    ids=["401", "403", "404", "501", "html"],
)
def test_an_instance_that_refuses_to_stream_says_so(api: FakeApi, refusal: Reply) -> None:
    api.route("GET", STREAM, refusal)
    api.route("GET", TAG, json_reply([]))
    source = config(api, stream=True, streaming_url=api.url)
    with pytest.raises(StreamNotAllowedError, match="Mastodon stream #Kerbrient refused"):
        run_stream(source, make_context(), MemoryCheckpoints(), lambda pages: False)
    assert len(api.calls(STREAM)) == 1  # a refusal is not retried
    assert api.calls(INSTANCE) == []  # the configured streaming URL is used as is


def test_searches_are_still_polled_while_the_hashtags_stream(api: FakeApi) -> None:
    api.route("GET", INSTANCE, json_reply({"error": "Not found"}, 404))
    api.route("GET", TAG, json_reply([]))
    api.route("GET", STREAM, sse(update(status("501")), hold=True))
    api.route(
        "GET",
        "/api/v2/search",
        json_reply({"accounts": [], "hashtags": [], "statuses": [status("502")]}),
    )
    source = config(api, stream=True, queries=["médiathèque Lanvern"], poll_seconds=1)
    until = has("mastodon:501", "mastodon:502")
    pages = run_stream(source, make_context(), MemoryCheckpoints(), until)
    # Streamed and polled independently: either may come first.
    queries = {m.id: m.query for m in mentions(pages)}
    assert queries == {"mastodon:501": "#Kerbrient", "mastodon:502": "médiathèque Lanvern"}
    assert len(api.calls(STREAM)) == 1  # the stream stayed open meanwhile
