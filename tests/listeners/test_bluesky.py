"""Bluesky: a session kept and renewed, searchPosts paged with its cursor, resumed on two clocks.

The fake account server answers as Bluesky's does: createSession and refreshSession hand out
JWTs, search without a valid session is 401 `AuthMissing`, with an expired one 400
`ExpiredToken`; search filters `since` on a post's sort time (the earlier of createdAt and
indexedAt).
"""

import base64
import itertools
import json
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from config.secrets import MissingSecretError
from listeners import bluesky
from listeners.checkpoints import MemoryCheckpoints
from listeners.pseudonym import pseudonymise
from listeners.retry import SourceUnavailableError
from tests.listeners.conftest import KEY, SAMPLES, drain, make_context, mentions, source
from tests.listeners.fakeapi import FakeApi, Reply, Request, json_reply

SEARCH = "/xrpc/app.bsky.feed.searchPosts"
CREATE = "/xrpc/com.atproto.server.createSession"
REFRESH = "/xrpc/com.atproto.server.refreshSession"
HANDLE, PASSWORD = "veille.mediatheques.bsky.social", "abcd-efgh-ijkl-mnop"
DID = "did:plc:veille7kerbrient"
ACCESS_LIFETIME = timedelta(hours=2)  # what bsky.social gives an app-password session
_serial = itertools.count()


@pytest.fixture(autouse=True)
def account(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(bluesky.HANDLE_VARIABLE, HANDLE)
    monkeypatch.setenv(bluesky.PASSWORD_VARIABLE, PASSWORD)


def jwt(kind: str, lifetime: timedelta) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    now = int(time.time())
    claims = {
        "scope": "com.atproto.appPass" if kind == "at" else "com.atproto.refresh",
        "sub": DID,
        "aud": "did:web:bsky.social",
        "iat": now,
        "exp": now + int(lifetime.total_seconds()),
        "jti": f"{kind}-{next(_serial)}",
    }
    return f"{part({'typ': f'{kind}+jwt', 'alg': 'HS256'})}.{part(claims)}.c2lnbmF0dXJl"


def xrpc_error(status: int, error: str, message: str) -> Reply:
    headers = {"ratelimit-limit": "3000", "ratelimit-remaining": "2999", "ratelimit-reset": "0"}
    return json_reply({"error": error, "message": message}, status, **headers)


class Pds:
    """The account's server: sessions for the app password, and search only behind one."""

    def __init__(self, api: FakeApi, access_lifetime: timedelta = ACCESS_LIFETIME) -> None:
        self.api = api
        self.access_lifetime = access_lifetime
        self.access: dict[str, float] = {}  # token -> expiry (Unix time)
        self.refresh_tokens: set[str] = set()
        api.route("POST", CREATE, self._create)
        api.route("POST", REFRESH, self._refresh)

    def _session(self) -> Reply:
        access = jwt("at", self.access_lifetime)
        refresh = jwt("refresh", timedelta(days=90))
        self.access[access] = time.time() + self.access_lifetime.total_seconds()
        self.refresh_tokens.add(refresh)
        return json_reply(
            {
                "did": DID,
                "didDoc": {
                    "@context": ["https://www.w3.org/ns/did/v1"],
                    "id": DID,
                    "alsoKnownAs": [f"at://{HANDLE}"],
                    "verificationMethod": [],
                    "service": [
                        {
                            "id": "#atproto_pds",
                            "type": "AtprotoPersonalDataServer",
                            "serviceEndpoint": self.api.url,
                        }
                    ],
                },
                "handle": HANDLE,
                "email": "veille@mediatheques.example.org",
                "emailConfirmed": True,
                "emailAuthFactor": False,
                "accessJwt": access,
                "refreshJwt": refresh,
                "active": True,
            }
        )

    def _create(self, request: Request) -> Reply:
        body = json.loads(request.body)
        if (body.get("identifier"), body.get("password")) != (HANDLE, PASSWORD):
            return xrpc_error(401, "AuthenticationRequired", "Invalid identifier or password")
        return self._session()

    def _refresh(self, request: Request) -> Reply:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if token not in self.refresh_tokens:
            return xrpc_error(400, "ExpiredToken", "Token has been revoked")
        self.refresh_tokens.discard(token)  # a refresh token is used once
        return self._session()

    def refused(self, request: Request) -> Reply | None:
        """Why a request is turned away, or None when its session is valid."""
        header = request.headers.get("authorization")
        if not header:
            return xrpc_error(401, "AuthMissing", "Authentication Required")
        if self.access.get(header.removeprefix("Bearer "), 0) < time.time():
            return xrpc_error(400, "ExpiredToken", "Token has expired")
        return None

    def revoke_all(self) -> None:
        self.access.clear()

    def searches(self, *replies: Reply | Callable[[Request], Reply]) -> None:
        """Search behind the session: the replies in order, the last one repeated."""
        queue = list(replies)

        def answer(request: Request) -> Reply:
            if refusal := self.refused(request):
                return refusal
            reply = queue.pop(0) if len(queue) > 1 else queue[0]
            return reply(request) if callable(reply) else reply

        self.api.route("GET", SEARCH, answer)


def post(
    rkey: str,
    indexed: str,
    handle: str = "lou.bsky.social",
    text: str = "BU Stang fermée",
    created: str | None = None,
    **record: Any,
) -> dict[str, Any]:
    return {
        "uri": f"at://did:plc:abc{handle[:3]}/app.bsky.feed.post/{rkey}",
        "cid": "bafyreib2rxk3rh6kzwq",
        "author": {"did": "did:plc:abc", "handle": handle, "displayName": "Lou", "labels": []},
        "record": {
            "$type": "app.bsky.feed.post",
            "text": text,
            "createdAt": created or indexed,
            "langs": ["fr"],
        }
        | record,
        "indexedAt": indexed,
        "likeCount": 4,
        "repostCount": 1,
        "replyCount": 0,
        "quoteCount": 0,
        "labels": [],
    }


def sort_time(post: dict[str, Any]) -> str:
    return str(min(post["record"]["createdAt"], post["indexedAt"]))


def search_since(posts: Callable[[], list[dict[str, Any]]]) -> Callable[[Request], Reply]:
    """Search as the AppView filters it: `since` (inclusive) on the sort time, latest first."""

    def answer(request: Request) -> Reply:
        since = request.query.get("since")
        found = [p for p in posts() if since is None or sort_time(p) >= since]
        return json_reply({"posts": sorted(found, key=sort_time, reverse=True)})

    return answer


def config(api: FakeApi):  # type: ignore[no-untyped-def]
    return source(
        {"id": "bsky", "type": "bluesky", "api_url": f"{api.url}/xrpc", "queries": ["BU Stang"]}
        | {"own_replies": False}
    )


def test_cursor_pages_malformed_posts_and_resume_with_one_login(api: FakeApi) -> None:
    newest = post("3kb", "2026-11-10T10:00:00.000Z", handle="mediatheques-kerbrient.bsky.social")
    pds = Pds(api)
    pds.searches(
        json_reply({"posts": [newest, post("3ka", "2026-11-10T09:00:00.000Z")], "cursor": "c2"}),
        json_reply({"posts": [post("3k9", "2026-11-09T09:00:00.000Z"), {"uri": "at://broken"}]}),
        json_reply({"posts": [newest]}),  # `since` reaches back an hour: the newest comes back
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
    assert calls[0].headers["authorization"].startswith("Bearer ")
    assert json.loads(api.calls(CREATE)[0].body) == {"identifier": HANDLE, "password": PASSWORD}

    assert mentions(drain(config(api), context, store)) == []
    assert api.calls(SEARCH)[2].query["since"] == "2026-11-10T09:00:00.000Z"
    assert len(api.calls(CREATE)) == 1  # the session outlives the poll
    assert PASSWORD not in repr(context.sessions)  # tokens only, and only in memory


def test_a_post_indexed_after_the_poll_but_written_before_the_mark_is_found(
    api: FakeApi,
) -> None:
    first = post("3ma", "2026-11-10T10:00:02.000Z", created="2026-11-10T10:00:00.000Z")
    late = post("3mb", "2026-11-10T10:00:09.000Z", created="2026-11-10T09:59:59.000Z")
    visible = [first]
    Pds(api).searches(search_since(lambda: visible))
    store, context = MemoryCheckpoints(), make_context()
    assert [m.native_id for m in mentions(drain(config(api), context, store))] == [first["uri"]]
    assert store.get("bsky", "BU Stang") == {"mark": f"{first['indexedAt']} {first['uri']}"}

    visible.append(late)  # indexed after that poll, dated before its newest post
    again = mentions(drain(config(api), context, store))
    assert [m.native_id for m in again] == [late["uri"]]
    assert api.calls(SEARCH)[1].query["since"] == "2026-11-10T09:00:02.000Z"
    assert mentions(drain(config(api), context, store)) == []


def test_image_only_posts_are_read_from_their_descriptions_or_skipped(api: FakeApi) -> None:
    image = {"$type": "blob", "ref": {"$link": "bafkrei"}, "mimeType": "image/jpeg", "size": 9}
    described = post(
        "3na",
        "2026-11-10T10:00:00.000Z",
        text="",
        embed={
            "$type": "app.bsky.embed.images",
            "images": [{"alt": "Panneau « BU Stang fermée jeudi »", "image": image}],
        },
    )
    bare = post(
        "3nb",
        "2026-11-10T09:00:00.000Z",
        text="",
        embed={"$type": "app.bsky.embed.images", "images": [{"alt": "", "image": image}]},
    )
    Pds(api).searches(json_reply({"posts": [described, bare]}))
    pages = drain(config(api), make_context(), MemoryCheckpoints())
    assert [m.text for m in mentions(pages)] == ["Panneau « BU Stang fermée jeudi »"]
    assert sum(p.malformed for p in pages) == 0 and sum(p.fetched for p in pages) == 2


@pytest.mark.parametrize(
    ("status", "error", "message"),
    [(400, "ExpiredToken", "Token has expired"), (401, "AuthMissing", "Authentication Required")],
)
def test_a_refused_session_is_replaced_and_the_page_asked_again(
    api: FakeApi, status: int, error: str, message: str
) -> None:
    pds = Pds(api)

    def revoked_then_page(request: Request) -> Reply:
        pds.revoke_all()  # the server drops the session (expiry, revocation) mid-sweep
        return xrpc_error(status, error, message)

    second = post("3pa", "2026-11-09T09:00:00.000Z")
    pds.searches(
        json_reply({"posts": [post("3pb", "2026-11-10T09:00:00.000Z")], "cursor": "c2"}),
        revoked_then_page,
        json_reply({"posts": [second]}),
    )
    store = MemoryCheckpoints()
    found = mentions(drain(config(api), make_context(), store))
    assert [m.native_id.rsplit("/", 1)[1] for m in found] == ["3pb", "3pa"]
    calls = api.calls(SEARCH)
    assert [c.query.get("cursor") for c in calls] == [None, "c2", "c2"]
    assert len(api.calls(CREATE)) == 2
    assert calls[2].headers["authorization"] != calls[1].headers["authorization"]
    assert store.get("bsky", "BU Stang") == {
        "mark": "2026-11-10T09:00:00.000Z at://did:plc:abclou/app.bsky.feed.post/3pb"
    }


def test_the_access_token_is_refreshed_before_it_expires(api: FakeApi) -> None:
    pds = Pds(api, access_lifetime=timedelta(minutes=5))  # atproto refreshes 15 min ahead
    pds.searches(json_reply({"posts": [post("3ra", "2026-11-10T09:00:00.000Z")]}))
    context = make_context()
    assert len(mentions(drain(config(api), context, MemoryCheckpoints()))) == 1
    created, refreshed = api.calls(CREATE), api.calls(REFRESH)
    assert len(created) == 1 and len(refreshed) >= 1
    assert refreshed[0].at < api.calls(SEARCH)[0].at  # before the token could expire
    assert refreshed[0].body == b""  # the refresh token goes in the header
    assert refreshed[0].headers["authorization"].startswith("Bearer ")
    assert pds.refused(api.calls(SEARCH)[-1]) is None  # searched with a live token
    drain(config(api), context, MemoryCheckpoints())
    assert len(api.calls(CREATE)) == 1  # the refreshed session was kept, no new login


def test_a_wrong_app_password_fails_at_once_naming_the_variables(
    api: FakeApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(bluesky.PASSWORD_VARIABLE, "revoked-app-password")
    Pds(api).searches(json_reply({"posts": []}))
    with pytest.raises(SourceUnavailableError, match=bluesky.PASSWORD_VARIABLE) as caught:
        drain(config(api), make_context(), MemoryCheckpoints())
    assert "AuthenticationRequired" in str(caught.value)
    assert "revoked-app-password" not in str(caught.value)
    assert len(api.calls(CREATE)) == 1 and api.calls(SEARCH) == []


def test_without_credentials_nothing_is_asked_and_both_variables_are_named(
    api: FakeApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(bluesky.PASSWORD_VARIABLE)
    with pytest.raises(MissingSecretError) as caught:
        drain(config(api), make_context(), MemoryCheckpoints())
    assert bluesky.HANDLE_VARIABLE in str(caught.value)
    assert bluesky.PASSWORD_VARIABLE in str(caught.value)
    assert api.requests == []


def test_profile_check_refuses_an_enabled_bluesky_source_without_credentials(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from murmure.cli import app

    data = yaml.safe_load((SAMPLES / "profile.yml").read_text(encoding="utf-8"))
    bsky = next(s for s in data["sources"] if s["type"] == "bluesky")
    path = tmp_path / "profile.yml"

    def check(enabled: bool) -> Any:
        bsky["enabled"] = enabled
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        return CliRunner().invoke(app, ["profile", "check", str(path)])

    assert check(enabled=True).exit_code == 0
    monkeypatch.delenv(bluesky.HANDLE_VARIABLE)
    monkeypatch.delenv(bluesky.PASSWORD_VARIABLE)
    refused = check(enabled=True)
    assert refused.exit_code == 1
    output = " ".join(refused.output.split())
    assert bluesky.HANDLE_VARIABLE in output and bluesky.PASSWORD_VARIABLE in output
    assert bsky["id"] in output
    assert check(enabled=False).exit_code == 0


def test_429_with_ratelimit_reset_then_a_502_are_waited_out(api: FakeApi) -> None:
    def rate_limited(request: Request) -> Reply:  # resets 1 to 2 s after the request
        reset = str(int(time.time()) + 2)
        return json_reply(
            {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
            429,
            **{"ratelimit-limit": "3000", "ratelimit-reset": reset, "ratelimit-remaining": "0"},
        )

    Pds(api).searches(
        rate_limited,
        json_reply({"error": "UpstreamFailure", "message": "Upstream Failure"}, 502),
        json_reply({"posts": [post("3kc", "2026-11-10T11:00:00.000Z")]}),
    )
    found = mentions(drain(config(api), make_context(), MemoryCheckpoints()))
    assert len(found) == 1
    calls = api.calls(SEARCH)
    assert calls[1].at - calls[0].at >= 0.9 and len(calls) == 3
