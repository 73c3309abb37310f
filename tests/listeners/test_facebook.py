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
    base = f"{api.url}/v21.0"
    api.route(
        "GET",
        f"/v21.0/{PAGE}/feed",
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
        f"/v21.0/{PAGE}/tagged",
        json_reply(
            edge([item("777_1", "2026-11-08T10:00:00+0000", message="Super atelier à Lanvern")])
        ),
    )
    api.route("GET", f"/v21.0/{PAGE}/posts", json_reply(edge([{"id": f"{PAGE}_2"}])))
    api.route(
        "GET",
        f"/v21.0/{PAGE}_2/comments",
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
    config = source({"id": "fb", "type": "facebook", "pages": [PAGE], "api_url": base})
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
    assert found[2].author.pseudonym == pseudonymise(KEY, "facebook", "Lou K")
    assert sum(p.malformed for p in pages) == 1
    assert api.calls(f"/v21.0/{PAGE}/feed")[1].query["after"] == "a"
    assert api.calls(f"/v21.0/{PAGE}/feed")[0].headers["authorization"] == "Bearer EAAG-page-token"
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
        f"/v21.0/{PAGE}/feed",
        json_reply(error, 403, **{"X-Business-Use-Case-Usage": usage}),
        json_reply(edge([])),
    )
    api.route(
        "GET", f"/v21.0/{PAGE}/tagged", json_reply({"error": {"message": "bad", "code": 100}}, 400)
    )
    config = source(
        {"id": "fb", "type": "facebook", "pages": [PAGE], "api_url": f"{api.url}/v21.0"}
    )
    from listeners.retry import SourceUnavailableError

    with pytest.raises(SourceUnavailableError, match="HTTP 400"):
        drain(config, make_context(), MemoryCheckpoints())
    assert len(api.calls(f"/v21.0/{PAGE}/feed")) == 2  # the rate limit was retried
    assert len(api.calls(f"/v21.0/{PAGE}/tagged")) == 1  # a plain 400 is not
