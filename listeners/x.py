"""X (API v2) with tweepy: recent search polled with since_id; the filtered stream if allowed.

Queries: the source's `queries`, else built from the profile (`queries.x_queries`). Stream rules
are kept equal to those queries: missing ones added, others (tagged by Murmure) removed.
Credential: MURMURE_X_BEARER_TOKEN (app-only bearer token).
"""

import json
import logging
import queue
import threading
from collections.abc import Iterator
from typing import Any

import requests
import tweepy  # type: ignore[import-untyped]
from requests.adapters import HTTPAdapter

from config.secrets import require_secret
from config.sources import SourceConfig, XSource
from listeners import queries, retry
from listeners.context import Context, Lookup, Page, dig, read_items
from listeners.sweep import Batch, numeric, sweep
from listeners.version import USER_AGENT
from schemas import RawMention

log = logging.getLogger(__name__)
SOURCE = "x"
TOKEN_VARIABLE = "MURMURE_X_BEARER_TOKEN"
OFFICIAL_URL = "https://api.twitter.com"  # where tweepy sends requests; rerouted to api_url
RULE_TAG = "murmure"
TWEET_FIELDS = ["created_at", "author_id", "lang", "public_metrics"]


class _Reroute(HTTPAdapter):
    """Sends tweepy's requests to the configured API URL (api.x.com, a proxy, a test server)."""

    def __init__(self, target: str) -> None:
        super().__init__()
        self.target = target.rstrip("/")

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        assert request.url is not None
        request.url = self.target + request.url[len(OFFICIAL_URL) :]
        return super().send(request, **kwargs)


def _route(session: requests.Session, config: XSource) -> None:
    session.mount(OFFICIAL_URL, _Reroute(str(config.api_url)))


def make_client(config: XSource) -> tweepy.Client:
    token = require_secret(TOKEN_VARIABLE).get_secret_value()
    client = tweepy.Client(bearer_token=token, return_type=dict, wait_on_rate_limit=False)
    client.user_agent = USER_AGENT
    _route(client.session, config)
    return client


def classify(error: BaseException) -> retry.Failure | None:
    if isinstance(error, tweepy.TooManyRequests):
        wait = retry.wait_from_headers(error.response.headers)
        return retry.Failure(True, "rate limited (429)", wait, rate_limited=True)
    if isinstance(error, tweepy.HTTPException):
        return retry.status_failure(
            error.response.status_code, {}, f"HTTP {error.response.status_code}"
        )
    if isinstance(error, requests.RequestException):
        return retry.Failure(True, f"network error: {type(error).__name__}")
    return None


def search_queries(config: XSource, context: Context) -> list[str]:
    return config.queries or queries.x_queries(context.profile)


def poll(config: SourceConfig, context: Context, checkpoint: Lookup) -> Iterator[Page]:
    assert isinstance(config, XSource)
    client = make_client(config)
    for query in search_queries(config, context):

        def fetch(since_id: str | None, token: str | None, query: str = query) -> Batch:
            answer: dict[str, Any] = context.call(
                lambda: client.search_recent_tweets(
                    query,
                    since_id=since_id,
                    next_token=token,
                    max_results=100,
                    tweet_fields=TWEET_FIELDS,
                    expansions=["author_id"],
                    user_fields=["username"],
                ),
                classify=classify,
                policy=config.retry,
                what=f"X search {query!r}",
            )
            return _batch(answer, query, context)

        yield from sweep(
            query=query,
            state=checkpoint(query),
            fetch=fetch,
            max_pages=config.max_pages,
            order=numeric,
        )


def _batch(answer: dict[str, Any], query: str, context: Context) -> Batch:
    users = _usernames(answer)
    tweets = answer.get("data") or []
    mentions, malformed = read_items(
        tweets, lambda tweet: to_mention(tweet, users, query, context), where=f"X {query!r}"
    )
    meta = answer.get("meta") or {}
    return Batch(mentions, len(tweets), malformed, meta.get("next_token"), meta.get("newest_id"))


def _usernames(answer: dict[str, Any]) -> dict[str, str]:
    users = (answer.get("includes") or {}).get("users") or []
    return {str(u["id"]): u["username"] for u in users if isinstance(u, dict) and "username" in u}


def to_mention(
    tweet: dict[str, Any], users: dict[str, str], query: str, context: Context
) -> RawMention:
    username = users[str(dig(tweet, "author_id"))]
    metrics = tweet.get("public_metrics") or {}
    return context.mention(
        source=SOURCE,
        native_id=str(dig(tweet, "id")),
        handle=username,
        text=dig(tweet, "text"),
        created_at=dig(tweet, "created_at"),
        url=f"https://x.com/{username}/status/{tweet['id']}",
        likes=metrics.get("like_count"),
        shares=metrics.get("retweet_count", 0) + metrics.get("quote_count", 0),
        replies=metrics.get("reply_count"),
        lang=tweet.get("lang"),
        query=query,
    )


# --- filtered stream -------------------------------------------------------------------------


class _Stream(tweepy.StreamingClient):  # type: ignore[misc]
    """Hands each raw line to a queue; reconnection is tweepy's (backoff per X's guidelines)."""

    def __init__(self, token: str, lines: "queue.Queue[bytes | None]", config: XSource) -> None:
        super().__init__(
            token, return_type=dict, wait_on_rate_limit=False, max_retries=config.retry.tries
        )
        self.lines = lines
        self.refused: int | None = None
        self.user_agent = USER_AGENT
        _route(self.session, config)

    def on_data(self, raw_data: bytes) -> None:
        self.lines.put(raw_data)

    def on_request_error(self, status_code: int) -> None:
        if status_code in (401, 403):  # the access level does not include the stream
            self.refused = status_code
            self.disconnect()

    def on_disconnect(self) -> None:
        self.lines.put(None)


def sync_rules(
    client: tweepy.StreamingClient, wanted: list[str], config: XSource
) -> dict[str, str]:
    """Makes the stream's rules the profile's queries; rules not tagged by Murmure are kept.

    Returns rule id → query, to record which query each streamed tweet matched.
    """

    def call(fn: Any, what: str) -> Any:
        return retry.call(fn, classify=classify, policy=config.retry, what=what)

    current = call(client.get_rules, "X stream rules").get("data") or []
    ours = [rule for rule in current if rule.get("tag") == RULE_TAG]
    stale = [rule["id"] for rule in ours if rule["value"] not in wanted]
    present = {rule["value"] for rule in ours}
    if stale:
        call(lambda: client.delete_rules(stale), "X stream rules (delete)")
    missing = [tweepy.StreamRule(value, tag=RULE_TAG) for value in wanted if value not in present]
    if missing:
        call(lambda: client.add_rules(missing), "X stream rules (add)")
    final = call(client.get_rules, "X stream rules").get("data") or []
    return {str(rule["id"]): rule["value"] for rule in final if rule.get("tag") == RULE_TAG}


def stream(config: SourceConfig, context: Context, checkpoint: Lookup) -> Iterator[Page]:
    """Tweets as they come, one page each, until the connection is lost for good."""
    assert isinstance(config, XSource)
    del checkpoint  # the poll before each connection fills the gaps
    token = require_secret(TOKEN_VARIABLE).get_secret_value()
    lines: queue.Queue[bytes | None] = queue.Queue()
    client = _Stream(token, lines, config)
    rules = sync_rules(client, search_queries(config, context), config)
    thread = threading.Thread(
        target=client.filter,
        kwargs={
            "tweet_fields": TWEET_FIELDS,
            "expansions": ["author_id"],
            "user_fields": ["username"],
        },
        daemon=True,
    )
    thread.start()
    try:
        while not context.stop.is_set():
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                continue
            if line is None:
                break
            yield _stream_page(line, rules, context)
    finally:
        client.disconnect()
    if client.refused:
        raise retry.StreamNotAllowedError(f"X stream refused (HTTP {client.refused})")


def _stream_page(line: bytes, rules: dict[str, str], context: Context) -> Page:
    try:
        answer = json.loads(line)
        tweet = answer["data"]
        matched = answer.get("matching_rules") or [{}]
        query = rules.get(str(matched[0].get("id")), "stream")
    except (ValueError, KeyError, TypeError, IndexError, AttributeError):
        log.warning("X stream: malformed message skipped")
        return Page("stream", [], 1, 1)
    mentions, malformed = read_items(
        [tweet], lambda t: to_mention(t, _usernames(answer), query, context), where="X stream"
    )
    return Page("stream", mentions, 1, malformed)
