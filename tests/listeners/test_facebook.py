"""Facebook pages: feed, tagged posts and comments on recent posts, with Graph paging."""

import json
from typing import Any

import pytest

from listeners import graph
from listeners.checkpoints import MemoryCheckpoints
from listeners.pseudonym import pseudonymise
from tests.listeners.conftest import KEY, drain, make_context, mentions, source
from tests.listeners.fakeapi import FakeApi, json_reply

PAGE = "104"
V = "/v26.0"  # the Graph API version by default


@pytest.fixture(autouse=True)
def token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(graph.TOKEN_VARIABLE, "EAAG-page-token")


def item(
    item_id: str, when: str, author: str = "Lou K", message: str | None = "Trop froid en salle"
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": item_id,
        "created_time": when,
        "from": {"name": author, "id": "99"},
    }
    return body | ({"message": message} if message else {})


def edge(data: list[Any], next_url: str | None = None) -> dict[str, Any]:
    paging: dict[str, Any] = {"cursors": {"before": "b", "after": "a"}}
    if next_url:
        paging["next"] = next_url
    return {"data": data, "paging": paging}


def test_feed_tagged_and_comments_are_read_and_resumed(api: FakeApi) -> None:
    base = f"{api.url}{V}"
    api.route(
        "GET",
        f"{V}/{PAGE}/feed",
        json_reply(
            edge(
                [
                    item(
                        f"{PAGE}_2",
                        "2026-11-10T10:00:00+0000",
                        author="Médiathèques de Kerbrient",
                        message="Horaires de Noël",
                    )
                ],
                f"{base}/{PAGE}/feed?after=a",
            )
        ),
        json_reply(
            edge(
                [
                    item(f"{PAGE}_1", "2026-11-09T10:00:00+0000", message=None),
                    {"id": "x", "message": "no time"},
                ]
            )
        ),
        json_reply(edge([item(f"{PAGE}_2", "2026-11-10T10:00:00+0000")])),
    )
    api.route(
        "GET",
        f"{V}/{PAGE}/tagged",
        json_reply(
            edge([item("777_1", "2026-11-08T10:00:00+0000", message="Super atelier à Lanvern")])
        ),
    )
    api.route("GET", f"{V}/{PAGE}/posts", json_reply(edge([{"id": f"{PAGE}_2"}])))
    api.route(
        "GET",
        f"{V}/{PAGE}_2/comments",
        json_reply(
            edge(
                [
                    item("c2", "2026-11-10T12:00:00+0000"),
                    item("c1", "2026-11-10T11:00:00+0000", author="Zoé"),
                ]
            )
        ),
        json_reply(
            edge([item("c3", "2026-11-10T13:00:00+0000"), item("c2", "2026-11-10T12:00:00+0000")])
        ),
    )
    config = source({"id": "fb", "type": "facebook", "pages": [PAGE], "api_url": api.url})
    store, context = MemoryCheckpoints(), make_context()
    pages = drain(config, context, store)
    found = mentions(pages)
    assert [m.id for m in found] == [
        f"facebook:{PAGE}_2",
        "facebook:777_1",
        "facebook:c2",
        "facebook:c1",
    ]
    assert found[0].author.institution
    assert found[2].author.pseudonym == pseudonymise(KEY, "facebook", "99")
    assert sum(p.malformed for p in pages) == 1
    assert api.calls(f"{V}/{PAGE}/feed")[1].query["after"] == "a"
    assert api.calls(f"{V}/{PAGE}/feed")[0].headers["authorization"] == "Bearer EAAG-page-token"
    assert store.get("fb", f"{PAGE}/comments") == {"mark": "2026-11-10T12:00:00+00:00"}

    again = mentions(drain(config, context, store))
    assert [m.id for m in again] == ["facebook:c3"]


def test_a_graph_rate_limit_code_waits_for_the_usage_header(api: FakeApi) -> None:
    usage = json.dumps(
        {PAGE: [{"type": "pages", "call_count": 100, "estimated_time_to_regain_access": 0}]}
    )
    error = {
        "error": {
            "message": "(#32) Page request limit reached",
            "type": "OAuthException",
            "code": 32,
        }
    }
    api.route(
        "GET",
        f"{V}/{PAGE}/feed",
        json_reply(error, 403, **{"X-Business-Use-Case-Usage": usage}),
        json_reply(edge([])),
    )
    api.route(
        "GET", f"{V}/{PAGE}/tagged", json_reply({"error": {"message": "bad", "code": 100}}, 400)
    )
    config = source({"id": "fb", "type": "facebook", "pages": [PAGE], "api_url": api.url})
    from listeners.retry import SourceUnavailableError

    with pytest.raises(SourceUnavailableError, match="HTTP 400"):
        drain(config, make_context(), MemoryCheckpoints())
    assert len(api.calls(f"{V}/{PAGE}/feed")) == 2  # the rate limit was retried
    assert len(api.calls(f"{V}/{PAGE}/tagged")) == 1  # a plain 400 is not


def test_reactions_count_as_likes_and_authors_are_keyed_on_their_id(api: FakeApi) -> None:
    def post(post_id: str, author: dict[str, str], reactions: int) -> dict[str, Any]:
        return {
            "id": post_id,
            "message": "Merci pour l'atelier de samedi à Lanvern",
            "created_time": "2026-11-10T10:00:00+0000",
            "from": author,
            "permalink_url": f"https://www.facebook.com/{PAGE}/posts/{post_id}",
            "shares": {"count": 2},
            "comments": {
                "data": [],
                "summary": {"order": "ranked", "total_count": 3, "can_comment": True},
            },
            "reactions": {
                "data": [],
                "summary": {"total_count": reactions, "viewer_reaction": "NONE"},
            },
        }

    namesakes = [
        post(f"{PAGE}_7", {"name": "Lou K", "id": "5550001"}, 12),
        post(f"{PAGE}_6", {"name": "Lou K", "id": "5550002"}, 0),
        post(f"{PAGE}_5", {"name": "Médiathèques de Kerbrient", "id": PAGE}, 30),
    ]
    v = "/v25.0"
    api.route("GET", f"{v}/{PAGE}/feed", json_reply(edge(namesakes)))
    api.route("GET", f"{v}/{PAGE}/tagged", json_reply(edge([])))
    api.route("GET", f"{v}/{PAGE}/posts", json_reply(edge([])))
    config = source(
        {
            "id": "fb",
            "type": "facebook",
            "pages": [PAGE],
            "api_url": api.url,
            "graph_version": "v25.0",
        }
    )
    found = mentions(drain(config, make_context(), MemoryCheckpoints()))
    assert [m.engagement.likes for m in found] == [12, 0, 30]
    assert [m.engagement.replies for m in found] == [3, 3, 3]
    first, second, own = found
    assert first.author.pseudonym == pseudonymise(KEY, "facebook", "5550001")
    assert second.author.pseudonym == pseudonymise(KEY, "facebook", "5550002")
    assert own.author.institution
    fields = api.calls(f"{v}/{PAGE}/feed")[0].query["fields"]
    assert "reactions.summary(total_count).limit(0)" in fields


def test_the_graph_version_is_checked() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="graph_version"):
        source({"id": "fb", "type": "facebook", "pages": [PAGE], "graph_version": "21"})
