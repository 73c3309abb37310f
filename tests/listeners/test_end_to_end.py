"""`murmure listen --once` into the real Kafka: every source against its local fake API.

Each fake API honours its network's resume parameters (since_id, min_id, since, ETag), so a
second run shows that checkpoints resume without publishing anything twice.
"""

import json
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import REGISTRY
from typer.testing import CliRunner

from bus.topics import topic
from tests.kafka import read_to_end
from tests.listeners import (
    test_bluesky,
    test_facebook,
    test_google_reviews,
    test_instagram,
    test_mastodon,
    test_reddit,
    test_rss,
    test_x,
    test_youtube,
)
from tests.listeners.conftest import FAST_RETRY, SAMPLES
from tests.listeners.fakeapi import FakeApi, Reply, Request, json_reply

pytestmark = pytest.mark.integration

CREDENTIALS = {
    "MURMURE_X_BEARER_TOKEN": "t",
    "MURMURE_REDDIT_CLIENT_ID": "id",
    "MURMURE_REDDIT_CLIENT_SECRET": "s",
    "MURMURE_GBP_TOKEN": "t",
    "MURMURE_META_PAGE_TOKEN": "t",
    "MURMURE_YOUTUBE_API_KEY": "k",
    "MURMURE_BLUESKY_HANDLE": test_bluesky.HANDLE,
    "MURMURE_BLUESKY_APP_PASSWORD": test_bluesky.PASSWORD,
}
PATIENT_HANDLES = ("lou_k", "lou.bsky.social", "Lou K", "zoe@piaille.example")


class World:
    """Fake APIs for every source, with ids unique to one test, and the ids they should yield."""

    def __init__(self, tmp_path: Path) -> None:
        self.tag = uuid.uuid4().hex[:10]
        self.number = int(uuid.uuid4().int % 10**12) * 1000
        self.apis: list[FakeApi] = []
        self.sources: list[dict[str, Any]] = []
        self.expected: dict[str, set[str]] = {}
        self.tmp_path = tmp_path

    def api(self) -> FakeApi:
        server = FakeApi()
        self.apis.append(server)
        return server

    def add(self, source: dict[str, Any], ids: set[str]) -> None:
        self.sources.append({"retry": FAST_RETRY} | source)
        self.expected[source["id"]] = ids

    def close(self) -> None:
        for server in self.apis:
            server.close()


def _after(
    key: str,
    newer: Callable[[dict[str, Any], str], bool],
    items: list[dict[str, Any]],
    reply: Callable[[list[dict[str, Any]]], Reply],
) -> Callable[[Request], Reply]:
    """Answers with the items newer than the request's resume parameter, as the network does."""

    def answer(request: Request) -> Reply:
        mark = request.query.get(key)
        return reply([item for item in items if mark is None or newer(item, mark)])

    return answer


def build_world(tmp_path: Path) -> World:
    w = World(tmp_path)
    n, tag = w.number, w.tag

    api = w.api()  # X: filters on since_id, as the API does
    tweets = [test_x.tweet(str(n + 2)), test_x.tweet(str(n + 1), author="u2")]
    api.route(
        "GET",
        test_x.SEARCH,
        _after("since_id", lambda t, mark: int(t["id"]) > int(mark), tweets, test_x.page),
    )
    w.add(
        {
            "id": "x",
            "type": "x",
            "api_url": api.url,
            "queries": ["médiathèque"],
            "own_replies": False,
        },
        {f"x:{n + 2}", f"x:{n + 1}"},
    )

    api = w.api()  # Mastodon: min_id
    statuses = [
        test_mastodon.status(str(n + 5)),
        test_mastodon.status(str(n + 4), acct="zoe@piaille.example"),
    ]
    api.route(
        "GET",
        test_mastodon.TAG,
        _after("min_id", lambda s, mark: int(s["id"]) > int(mark), statuses, json_reply),
    )
    w.add(
        {
            "id": "masto",
            "type": "mastodon",
            "instance": api.url,
            "hashtags": ["Kerbrient"],
            "own_replies": False,
        },
        {f"mastodon:{n + 5}", f"mastodon:{n + 4}"},
    )

    api = w.api()  # Bluesky: a session, then `since` (inclusive) on the posts' sort time
    posts = [
        test_bluesky.post(f"{tag}b", "2026-11-10T10:00:00.000Z"),
        test_bluesky.post(f"{tag}a", "2026-11-09T10:00:00.000Z"),
    ]
    test_bluesky.Pds(api).searches(test_bluesky.search_since(lambda: posts))
    w.add(
        {
            "id": "bsky",
            "type": "bluesky",
            "api_url": f"{api.url}/xrpc",
            "queries": ["BU Stang"],
            "own_replies": False,
        },
        {p["uri"] and f"bluesky:{p['uri']}" for p in posts},
    )

    api = w.api()  # RSS: ETag
    feed = test_rss.RSS.format(items=test_rss.item(f"{tag}-1") + test_rss.item(f"{tag}-2"))
    api.route(
        "GET",
        "/rss.xml",
        lambda r: (
            Reply(304)
            if r.headers.get("if-none-match") == '"e1"'
            else Reply(200, feed, {"ETag": '"e1"'})
        ),
    )
    w.add(
        {"id": "rss", "type": "rss", "feeds": [f"{api.url}/rss.xml"]},
        {f"rss:https://echo.kerbrient.example/{tag}-{i}" for i in (1, 2)},
    )

    api = w.api()  # Reddit: the client stops at its checkpoint
    api.route("POST", "/api/v1/access_token", test_reddit.TOKEN)
    children = [
        test_reddit.post(f"{tag}2", 1_700_000_200),
        test_reddit.post(f"{tag}1", 1_700_000_100),
    ]
    api.route("GET", "/r/Kerbrient/search", json_reply(test_reddit.listing(children)))
    w.add(
        {
            "id": "reddit",
            "type": "reddit",
            "own_replies": False,
            "subreddits": ["Kerbrient"],
            "queries": ["BU Stang"],
            "api_url": api.url,
            "auth_url": api.url,
        },
        {f"reddit:t3_{tag}{i}" for i in (1, 2)},
    )

    api = w.api()  # Google reviews
    location = "accounts/1/locations/2"
    reviews = [
        test_google_reviews.review(f"{tag}r2", "2026-11-10T10:00:00Z"),
        test_google_reviews.review(f"{tag}r1", "2026-11-09T10:00:00Z"),
    ]
    api.route("GET", f"/v4/{location}/reviews", json_reply({"reviews": reviews}))
    w.add(
        {
            "id": "gbp",
            "type": "google_reviews",
            "locations": [location],
            "api_url": f"{api.url}/v4",
        },
        {f"google_reviews:{tag}r{i}" for i in (1, 2)},
    )

    api = w.api()  # Facebook
    page = f"{tag}page"
    api.route(
        "GET",
        f"/v26.0/{page}/feed",
        json_reply(
            test_facebook.edge([test_facebook.item(f"{tag}_p1", "2026-11-10T10:00:00+0000")])
        ),
    )
    api.route("GET", f"/v26.0/{page}/tagged", json_reply(test_facebook.edge([])))
    api.route("GET", f"/v26.0/{page}/posts", json_reply(test_facebook.edge([{"id": f"{tag}_p1"}])))
    api.route(
        "GET",
        f"/v26.0/{tag}_p1/comments",
        json_reply(
            test_facebook.edge([test_facebook.item(f"{tag}_c1", "2026-11-10T11:00:00+0000")])
        ),
    )
    w.add(
        {"id": "fb", "type": "facebook", "pages": [page], "api_url": api.url},
        {f"facebook:{tag}_p1", f"facebook:{tag}_c1"},
    )

    api = w.api()  # Instagram
    account = f"{tag}ig"
    api.route("GET", f"/v26.0/{account}/tags", json_reply({"data": []}))
    api.route(
        "GET",
        f"/v26.0/{account}/media",
        json_reply({"data": [{"id": f"{tag}m", "timestamp": test_instagram.stamp(1)}]}),
    )
    api.route(
        "GET",
        f"/v26.0/{tag}m/comments",
        json_reply({"data": [test_instagram.comment(f"{tag}k", 0.5)]}),
    )
    w.add(
        {"id": "ig", "type": "instagram", "accounts": [account], "api_url": api.url},
        {f"instagram:{tag}k"},
    )

    api = w.api()  # YouTube
    api.route(
        "GET",
        "/commentThreads",
        json_reply({"items": [test_youtube.thread(f"{tag}c", "2026-11-10T10:00:00Z")]}),
    )
    api.route(
        "GET",
        "/search",
        json_reply({"items": [test_youtube.video(f"{tag}v", "2026-11-05T10:00:00Z")]}),
    )
    w.add(
        {
            "id": "yt",
            "type": "youtube",
            "channel_id": "UCkerbrient",
            "queries": ["Lanvern"],
            "api_url": api.url,
        },
        {f"youtube:{tag}c", f"youtube:{tag}v"},
    )

    recording = tmp_path / "recorded.jsonl"  # Replay
    lines = [
        {
            "source": "mastodon",
            "native_id": f"{tag}r{i}",
            "author_handle": "lou@piaille.example",
            "text": "La média",
            "created_at": "2026-10-01T10:00:00Z",
        }
        for i in (1, 2)
    ]
    recording.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    w.add(
        {"id": "replay", "type": "replay", "path": str(recording)},
        {f"mastodon:{tag}r{i}" for i in (1, 2)},
    )
    return w


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, topics: None) -> Iterator[World]:
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    built = build_world(tmp_path)
    yield built
    built.close()


def write_profile(world: World, sources: list[dict[str, Any]]) -> Path:
    data = yaml.safe_load((SAMPLES / "profile.yml").read_text(encoding="utf-8"))
    data["sources"] = sources
    path = world.tmp_path / "profile.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def listen(profile: Path, state: Path, *args: str) -> Any:
    from murmure.cli import app

    return CliRunner().invoke(
        app,
        [
            "listen",
            "--once",
            "--profile",
            str(profile),
            "--state-dir",
            str(state),
            "--metrics-port",
            "0",
            *args,
        ],
    )


def raw_messages(ids: set[str]) -> Counter[str]:
    """How many times each of `ids` is in mentions.raw, reading every partition to its end."""
    seen: Counter[str] = Counter()
    values: list[bytes] = []
    for record in read_to_end(topic("raw")):
        key = record.key.decode() if record.key else ""
        if key in ids:
            seen[key] += 1
            values.append(record.value)
    raw_messages.values = values  # type: ignore[attr-defined]
    return seen


SOURCE_IDS = ["x", "masto", "bsky", "rss", "reddit", "gbp", "fb", "ig", "yt", "replay"]


@pytest.mark.parametrize("source_id", SOURCE_IDS)
def test_each_source_publishes_pseudonymised_mentions_once_across_two_runs(
    world: World, source_id: str
) -> None:
    profile = write_profile(world, world.sources)
    state = world.tmp_path / "state"
    first = listen(profile, state, "--source", source_id)
    assert first.exit_code == 0, first.output
    expected = world.expected[source_id]
    assert raw_messages(expected) == Counter(dict.fromkeys(expected, 1))
    for value in raw_messages.values:  # type: ignore[attr-defined]
        text = value.decode()
        assert not any(f'"{handle}"' in text for handle in PATIENT_HANDLES)
        assert json.loads(text)["author"]["pseudonym"]

    second = listen(profile, state, "--source", source_id)
    assert second.exit_code == 0, second.output
    assert raw_messages(expected) == Counter(dict.fromkeys(expected, 1))


def test_all_sources_at_once_and_a_failing_one_does_not_stop_the_others(world: World) -> None:
    broken = world.api()
    broken.route("GET", test_x.SEARCH, json_reply({"title": "Service Unavailable"}, 503))
    failing = {
        "id": "x-down",
        "type": "x",
        "api_url": broken.url,
        "queries": ["BU"],
        "own_replies": False,
        "retry": FAST_RETRY,
    }
    profile = write_profile(world, [*world.sources, failing])
    result = listen(profile, world.tmp_path / "state")
    assert result.exit_code == 1  # one source failed, and says so
    assert "x-down" in result.output and "failed" in result.output
    assert REGISTRY.get_sample_value("murmure_listener_failing", {"source": "x-down"}) == 1
    assert REGISTRY.get_sample_value("murmure_listener_failing", {"source": "rss"}) == 0
    assert REGISTRY.get_sample_value("murmure_listener_failures_total", {"source": "x-down"})
    every = set().union(*world.expected.values())
    assert raw_messages(every) == Counter(dict.fromkeys(every, 1))
