"""Threads: each source records what a mention replies to and its thread, from the network's own
fields, and reads the library's own accounts, whose replies are the answers."""

from typing import Any

import pytest

from config.sources import XSource
from listeners import facebook, google_reviews, reddit, x, youtube
from listeners.checkpoints import MemoryCheckpoints
from tests.listeners import (
    test_bluesky,
    test_google_reviews,
    test_instagram,
    test_mastodon,
    test_reddit,
    test_x,
    test_youtube,
)
from tests.listeners.conftest import drain, make_context, mentions, source
from tests.listeners.fakeapi import FakeApi, Reply, Request, json_reply

LIBRARY = "mediatheques@social.kerbrient.example"


@pytest.fixture(autouse=True)
def secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(x.TOKEN_VARIABLE, "test-bearer")
    monkeypatch.setenv(reddit.ID_VARIABLE, "client-id")
    monkeypatch.setenv(reddit.SECRET_VARIABLE, "client-secret")
    monkeypatch.setenv("MURMURE_META_PAGE_TOKEN", "EAAG-page-token")
    monkeypatch.setenv(youtube.KEY_VARIABLE, "AIza-test")
    monkeypatch.setenv(google_reviews.TOKEN_VARIABLE, "ya29.test")


def by_id(pages: list[Any]) -> dict[str, Any]:
    return {m.native_id: m for m in mentions(pages)}


def test_x_replies_name_the_post_they_answer_and_the_conversation(api: FakeApi) -> None:
    question = test_x.tweet("1855000000000000010") | {"conversation_id": "1855000000000000010"}
    answer = test_x.tweet("1855000000000000011", author="u2", text="Oui, de 14 h à 18 h !") | {
        "conversation_id": "1855000000000000010",
        "in_reply_to_user_id": "u1",
        "referenced_tweets": [{"type": "replied_to", "id": "1855000000000000010"}],
    }
    api.route("GET", test_x.SEARCH, test_x.page([answer, question]))
    found = by_id(drain(test_x.config(api), make_context(), MemoryCheckpoints()))
    assert found["1855000000000000011"].in_reply_to == "1855000000000000010"
    assert found["1855000000000000011"].thread == "1855000000000000010"
    assert found["1855000000000000011"].author.institution
    assert found["1855000000000000010"].in_reply_to is None
    fields = api.calls(test_x.SEARCH)[0].query["tweet.fields"].split(",")
    assert "conversation_id" in fields and "referenced_tweets" in fields


def test_x_queries_built_from_the_profile_search_the_library_accounts_posts() -> None:
    default = source({"id": "x-built", "type": "x"})  # own_replies is on unless switched off
    assert isinstance(default, XSource)
    built = " ".join(x.search_queries(default, make_context()))
    assert "from:MediasKerbrient" in built and "from:BU_Stang" in built


def test_x_searches_the_library_accounts_beside_given_queries_unless_switched_off(
    api: FakeApi,
) -> None:
    answer = test_x.tweet("1855000000000000021", author="u2", text="Oui, 14 h-18 h") | {
        "conversation_id": "1855000000000000020",
        "referenced_tweets": [{"type": "replied_to", "id": "1855000000000000020"}],
    }

    def search(request: Request) -> Reply:
        own = request.query["query"].startswith("(from:")
        return test_x.page([answer] if own else [])

    api.route("GET", test_x.SEARCH, search)
    found = by_id(drain(test_x.config(api, own_replies=True), make_context(), MemoryCheckpoints()))
    assert found["1855000000000000021"].in_reply_to == "1855000000000000020"
    assert found["1855000000000000021"].author.institution
    asked = [call.query["query"] for call in api.calls(test_x.SEARCH)]
    assert asked == ["médiathèque", "(from:MediasKerbrient OR from:BU_Stang) -is:retweet"]

    quiet = test_x.config(FakeApi(), own_replies=False)
    assert x.search_queries(quiet, make_context()) == ["médiathèque"]
    built = " ".join(x.search_queries(quiet.model_copy(update={"queries": []}), make_context()))
    assert "@MediasKerbrient" in built and "from:" not in built


def test_mastodon_reads_the_library_accounts_statuses_and_their_in_reply_to_id(
    api: FakeApi,
) -> None:
    question = test_mastodon.status("20", content="<p>C'est ouvert dimanche ?</p>")
    answer = test_mastodon.status("21", acct=LIBRARY, content="<p>Oui, de 14 h à 18 h.</p>") | {
        "in_reply_to_id": "20",
        "in_reply_to_account_id": "9",
    }
    api.route("GET", test_mastodon.TAG, json_reply([question]), json_reply([]))

    def lookup(request: Request) -> Reply:
        acct = request.query["acct"]
        account_id = "77" if acct == LIBRARY else "78"
        return json_reply({"id": account_id, "username": acct.split("@")[0], "acct": acct})

    api.route("GET", "/api/v1/accounts/lookup", lookup)
    api.route("GET", "/api/v1/accounts/77/statuses", json_reply([answer]), json_reply([]))
    api.route("GET", "/api/v1/accounts/78/statuses", json_reply([]))
    config = source(
        {"id": "masto", "type": "mastodon", "instance": api.url, "hashtags": ["Kerbrient"]}
    )
    found = by_id(drain(config, make_context(), MemoryCheckpoints()))
    assert found["21"].in_reply_to == "20" and found["21"].author.institution
    assert found["20"].in_reply_to is None and not found["20"].author.institution
    assert api.calls("/api/v1/accounts/77/statuses")[0].query["exclude_reblogs"] in {"1", "true"}


def test_bluesky_replies_carry_parent_and_root_and_the_accounts_are_searched(
    api: FakeApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MURMURE_BLUESKY_HANDLE", test_bluesky.HANDLE)
    monkeypatch.setenv("MURMURE_BLUESKY_APP_PASSWORD", test_bluesky.PASSWORD)
    root = "at://did:plc:abclou/app.bsky.feed.post/3kroot"
    parent = "at://did:plc:abclou/app.bsky.feed.post/3kparent"
    answer = test_bluesky.post(
        "3kanswer",
        "2026-11-10T10:00:00.000Z",
        handle="mediatheques-kerbrient.bsky.social",
        text="Bonjour, l'imprimante est réparée.",
        reply={"root": {"uri": root, "cid": "bafyroot"}, "parent": {"uri": parent, "cid": "bafyp"}},
    )
    test_bluesky.Pds(api).searches(json_reply({"posts": [answer]}))
    config = source(
        {"id": "bsky", "type": "bluesky", "api_url": f"{api.url}/xrpc", "queries": ["BU Stang"]}
    )
    found = mentions(drain(config, make_context(), MemoryCheckpoints()))
    assert {(m.in_reply_to, m.thread) for m in found} == {(parent, root)}
    asked = {request.query["q"] for request in api.calls(test_bluesky.SEARCH)}
    assert {
        "BU Stang",
        "from:mediatheques-kerbrient.bsky.social",
        "from:bu-stang.bsky.social",
    } <= asked


def test_reddit_reads_the_library_accounts_comments_with_parent_and_post(api: FakeApi) -> None:
    api.route("POST", "/api/v1/access_token", test_reddit.TOKEN)
    api.route("GET", test_reddit.SEARCH, json_reply(test_reddit.listing([])))
    comment = {
        "kind": "t1",
        "data": {
            "id": "k9x",
            "name": "t1_k9x",
            "author": "MediasKerbrient",
            "body": "Bonjour, la BU du Stang ouvre samedi de 9 h à 13 h.",
            "created_utc": 1_700_000_300,
            "parent_id": "t3_abc",
            "link_id": "t3_abc",
            "permalink": "/r/Kerbrient/comments/abc/la_bu/k9x/",
            "score": 3,
        },
    }
    api.route("GET", "/user/MediasKerbrient/comments", json_reply(test_reddit.listing([comment])))
    config = test_reddit.config(api).model_copy(update={"own_replies": True})
    found = by_id(drain(config, make_context(), MemoryCheckpoints()))
    assert found["t1_k9x"].in_reply_to == "t3_abc" and found["t1_k9x"].thread == "t3_abc"
    assert found["t1_k9x"].author.institution
    assert api.calls("/user/MediasKerbrient/comments")[0].query["sort"] == "new"


def test_facebook_comments_reply_to_their_parent_or_their_post(api: FakeApi) -> None:
    context = make_context()
    question = {
        "id": "104_7_1",
        "message": "Vous ouvrez le 11 novembre ?",
        "created_time": "2026-11-09T10:00:00+0000",
        "from": {"name": "Lou K", "id": "99"},
    }
    answer = {
        "id": "104_7_2",
        "message": "Non, fermé ce jour-là.",
        "created_time": "2026-11-09T11:00:00+0000",
        "from": {"name": "Médiathèques de Kerbrient", "id": "104"},
        "parent": {"id": "104_7_1", "created_time": "2026-11-09T10:00:00+0000"},
    }
    first = facebook.to_mention(question, "104_7", "104/comments", context)
    reply = facebook.to_mention(answer, "104_7", "104/comments", context)
    assert first is not None and reply is not None
    assert (first.in_reply_to, first.thread) == ("104_7", "104_7")
    assert (reply.in_reply_to, reply.thread) == ("104_7_1", "104_7")
    assert reply.author.institution
    post = facebook.to_mention(question, "104", "104/feed", context)
    assert post is not None and (post.in_reply_to, post.thread) == (None, None)
    assert "parent{id}" in facebook.COMMENT_FIELDS


def test_instagram_replies_come_with_their_comment_and_a_late_answer_is_found(
    api: FakeApi,
) -> None:
    account = test_instagram.ACCOUNT
    api.route("GET", f"/v26.0/{account}/tags", json_reply({"data": []}))
    api.route(
        "GET",
        f"/v26.0/{account}/media",
        json_reply({"data": [{"id": "m2", "timestamp": test_instagram.stamp(2)}]}),
    )
    question = test_instagram.comment("c1", 1) | {"text": "Ouvert ce midi ?"}
    answer = test_instagram.comment("c2", 0.5, user="mediatheques_kerbrient") | {
        "text": "Oui, en continu !",
        "parent_id": "c1",
    }
    api.route(
        "GET",
        "/v26.0/m2/comments",
        json_reply({"data": [question]}),
        json_reply({"data": [question | {"replies": {"data": [answer]}}]}),
    )
    config = source({"id": "ig", "type": "instagram", "accounts": [account], "api_url": api.url})
    store, context = MemoryCheckpoints(), make_context()
    first = by_id(drain(config, context, store))
    assert (first["c1"].in_reply_to, first["c1"].thread) == ("m2", "m2")
    later = by_id(drain(config, context, store))  # the answer came after the first poll
    assert (later["c2"].in_reply_to, later["c2"].thread) == ("c1", "m2")
    assert later["c2"].author.institution
    assert "replies{" in api.calls("/v26.0/m2/comments")[0].query["fields"]


def test_youtube_threads_bring_their_replies_with_parent_id(api: FakeApi) -> None:
    top = test_youtube.thread("Ug1", "2026-11-10T09:00:00Z")
    top["replies"] = {
        "comments": [
            {
                "kind": "youtube#comment",
                "id": "Ug1.r1",
                "snippet": {
                    "videoId": "vid1",
                    "parentId": "Ug1",
                    "textOriginal": "Merci ! La conférence sera en ligne lundi.",
                    "textDisplay": "Merci ! La conférence sera en ligne lundi.",
                    "authorDisplayName": "@mediatheques",
                    "authorChannelId": {"value": "UCkerbrient"},
                    "likeCount": 0,
                    "publishedAt": "2026-11-10T12:00:00Z",
                },
            }
        ]
    }
    api.route("GET", "/commentThreads", json_reply({"items": [top]}))
    api.route("GET", "/search", json_reply({"items": []}))
    found = by_id(drain(test_youtube.config(api), make_context(), MemoryCheckpoints()))
    assert (found["Ug1"].in_reply_to, found["Ug1"].thread) == ("vid1", None)
    assert (found["Ug1.r1"].in_reply_to, found["Ug1.r1"].thread) == ("Ug1", "Ug1")
    assert found["Ug1.r1"].author.institution
    assert api.calls("/commentThreads")[0].query["part"] == "snippet,replies"


def test_google_review_owner_reply_is_a_mention_answering_the_review(api: FakeApi) -> None:
    reply = {"comment": "Le Wi-Fi est rétabli, merci.", "updateTime": "2026-11-03T08:00:00Z"}
    reviews = [
        test_google_reviews.review("r1", "2026-11-02T10:00:00Z", reviewReply=reply),
        test_google_reviews.review("r2", "2026-11-01T10:00:00Z", comment=None, reviewReply=reply),
    ]
    api.route("GET", test_google_reviews.PATH, json_reply({"reviews": reviews}))
    config = source(
        {
            "id": "gbp",
            "type": "google_reviews",
            "locations": [test_google_reviews.LOCATION],
            "api_url": f"{api.url}/v4",
        }
    )
    found = by_id(drain(config, make_context(), MemoryCheckpoints()))
    answer = found["r1" + google_reviews.REPLY_SUFFIX]
    assert (answer.in_reply_to, answer.thread) == ("r1", "r1")
    assert answer.author.institution and answer.created_at.day == 3
    assert found["r1"].in_reply_to is None
    assert "r2" not in found  # a rating without words is still not a mention; its reply is
    assert found["r2" + google_reviews.REPLY_SUFFIX].in_reply_to == "r2"
