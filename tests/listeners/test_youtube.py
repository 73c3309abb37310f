"""YouTube: channel comment threads and video searches, paged, resumed, within the daily quota."""

from typing import Any

import pytest

from listeners import youtube
from listeners.checkpoints import MemoryCheckpoints
from tests.listeners.conftest import drain, make_context, mentions, source
from tests.listeners.fakeapi import FakeApi, json_reply


@pytest.fixture(autouse=True)
def key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(youtube.KEY_VARIABLE, "AIza-test")


def thread(comment_id: str, published: str, channel: str = "UCpatron") -> dict[str, Any]:
    return {
        "kind": "youtube#commentThread",
        "id": comment_id,
        "snippet": {
            "channelId": "UCkerbrient",
            "videoId": "vid1",
            "totalReplyCount": 1,
            "topLevelComment": {
                "kind": "youtube#comment",
                "id": comment_id,
                "snippet": {
                    "videoId": "vid1",
                    "textDisplay": "Super conférence à Anne-Quéré",
                    "textOriginal": "Super conférence à Anne-Quéré",
                    "authorDisplayName": "@lou",
                    "authorChannelId": {"value": channel},
                    "likeCount": 3,
                    "publishedAt": published,
                    "updatedAt": published,
                },
            },
        },
    }


def video(video_id: str, published: str) -> dict[str, Any]:
    return {
        "kind": "youtube#searchResult",
        "id": {"kind": "youtube#video", "videoId": video_id},
        "snippet": {
            "publishedAt": published,
            "channelId": "UCother",
            "title": "Visite de la médiathèque de Lanvern",
            "description": "",
            "channelTitle": "Ville",
        },
    }


def config(api: FakeApi, **extra: Any):  # type: ignore[no-untyped-def]
    return source(
        {
            "id": "yt",
            "type": "youtube",
            "channel_id": "UCkerbrient",
            "queries": ["médiathèque Lanvern"],
            "api_url": api.url,
        }
        | extra
    )


def test_comments_and_search_pages_quota_counted_and_resumed(api: FakeApi) -> None:
    api.route(
        "GET",
        "/commentThreads",
        json_reply(
            {
                "items": [
                    thread("c2", "2026-11-10T10:00:00Z", channel="UCkerbrient"),
                    {"id": "bad"},
                ],
                "nextPageToken": "t2",
            }
        ),
        json_reply({"items": [thread("c1", "2026-11-09T10:00:00Z")]}),
        json_reply(
            {
                "items": [
                    thread("c3", "2026-11-11T10:00:00Z"),
                    thread("c2", "2026-11-10T10:00:00Z"),
                ],
                "nextPageToken": "older",
            }
        ),
    )
    api.route(
        "GET",
        "/search",
        json_reply({"items": [video("v1", "2026-11-05T10:00:00Z")]}),
        json_reply({"items": []}),
    )
    store, context = MemoryCheckpoints(), make_context()
    pages = drain(config(api), context, store)
    found = mentions(pages)
    assert [m.id for m in found] == ["youtube:c2", "youtube:c1", "youtube:v1"]
    assert found[0].author.institution and not found[1].author.institution
    assert sum(p.malformed for p in pages) == 1
    assert api.calls("/commentThreads")[0].headers["x-goog-api-key"] == "AIza-test"
    assert "key" not in api.calls("/commentThreads")[0].query
    assert store.get("yt", youtube.QUOTA_QUERY)["used"] == 1 + 1 + 100  # type: ignore[index]

    again = mentions(drain(config(api), context, store))
    assert [m.id for m in again] == ["youtube:c3"]
    assert api.calls("/search")[1].query["publishedAfter"] == "2026-11-05T10:00:00Z"


def test_the_poll_stops_before_the_daily_quota(api: FakeApi) -> None:
    api.route(
        "GET", "/commentThreads", json_reply({"items": [thread("c1", "2026-11-09T10:00:00Z")]})
    )
    api.route("GET", "/search", json_reply({"items": [video("v1", "2026-11-05T10:00:00Z")]}))
    store = MemoryCheckpoints()
    found = mentions(drain(config(api, daily_quota=50), make_context(), store))
    assert [m.id for m in found] == ["youtube:c1"]
    assert api.calls("/search") == []  # 100 units would pass the quota of 50
    assert store.get("yt", youtube.QUOTA_QUERY)["used"] == 1  # type: ignore[index]


def test_titles_are_unescaped_and_channel_comments_link_to_the_channel(api: FakeApi) -> None:
    on_channel = thread("Ugz1channel", "2026-11-10T10:00:00Z")
    del (
        on_channel["snippet"]["videoId"],
        on_channel["snippet"]["topLevelComment"]["snippet"]["videoId"],
    )
    api.route("GET", "/commentThreads", json_reply({"items": [on_channel]}))
    escaped = video("v9", "2026-11-05T10:00:00Z")
    escaped["snippet"] |= {
        "title": "L&#39;heure du conte &amp; des comptines à Lanvern",
        "description": "Rendez-vous &quot;Bébés lecteurs&quot; &lt;3",
    }
    api.route("GET", "/search", json_reply({"items": [escaped]}))
    found = mentions(drain(config(api), make_context(), MemoryCheckpoints()))
    comment, clip = found
    assert comment.url == "https://www.youtube.com/channel/UCkerbrient"
    assert (
        clip.text == 'L\'heure du conte & des comptines à Lanvern\nRendez-vous "Bébés lecteurs" <3'
    )


def test_quota_exceeded_stops_the_poll_and_keeps_the_checkpoint(api: FakeApi) -> None:
    message = (
        'The request cannot be completed because you have exceeded your <a href="/youtube/v3/'
        'getting-started#quota">quota</a>.'
    )
    exceeded = {
        "error": {
            "code": 403,
            "message": message,
            "errors": [{"message": message, "domain": "youtube.quota", "reason": "quotaExceeded"}],
        }
    }
    api.route(
        "GET",
        "/commentThreads",
        json_reply({"items": [thread("c5", "2026-11-10T10:00:00Z")], "nextPageToken": "t2"}),
        json_reply(exceeded, 403),
    )
    store = MemoryCheckpoints()
    from listeners.retry import SourceUnavailableError

    with pytest.raises(SourceUnavailableError, match="HTTP 403"):
        drain(config(api), make_context(), store)
    assert len(api.calls("/commentThreads")) == 2  # not retried: the quota is spent for the day
    assert store.get("yt", "channel:UCkerbrient/comments") == {
        "mark": None,
        "token": "t2",
        "newest": "2026-11-10T10:00:00Z",
    }
