"""X (API v2) with tweepy: recent search polled with since_id; the filtered stream if allowed.

Queries: the source's `queries`, else built from the profile (`queries.x_queries`); unless
`own_replies` is off, the library's own accounts are searched too (`from:`). Stream rules
are kept equal to those queries: missing ones added, others (tagged by Murmure) removed.
A reply records the post it answers (`referenced_tweets` of type `replied_to`) and its thread
(`conversation_id`); the library's own accounts' replies are the answers.
Texts are whole: a long post's text is its `note_tweet`. A repost (retweet) is stored as the
post it reposts, under that post's id: its reposts are engagement (`retweet_count`), so a post
seen directly and through its reposts is one mention. A quote is its author's own post, stored
under its own id with its own words.
Recent search only goes back 7 days: a checkpoint older than that is refused (HTTP 400), and the
poll then starts from the oldest time X still serves, logs the gap it could not recover and
counts it (`murmure_listener_gaps_total`, `murmure_listener_gap_seconds_total`).
Credential: MURMURE_X_BEARER_TOKEN (app-only bearer token).
"""

import json
import logging
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
import tweepy  # type: ignore[import-untyped]
from requests.adapters import HTTPAdapter

from config.secrets import require_secret
from config.sources import SourceConfig, XSource
from listeners import metrics, queries, retry
from listeners.context import Context, Lookup, Page, dig, parse_time, read_items
from listeners.sweep import Batch, numeric, sweep
from listeners.version import USER_AGENT
from schemas import RawMention

log = logging.getLogger(__name__)
SOURCE = "x"
TOKEN_VARIABLE = "MURMURE_X_BEARER_TOKEN"
OFFICIAL_URL = "https://api.twitter.com"  # where tweepy sends requests; rerouted to api_url
RULE_TAG = "murmure"
TWEET_FIELDS = [
    "created_at",
    "author_id",
    "lang",
    "public_metrics",
    "note_tweet",  # the whole text of a post longer than 280 characters
    "referenced_tweets",
    "conversation_id",  # the id of the post that opened the thread
]
# The authors, and the reposted posts with their authors: a repost's own text is cut ("RT @a: …").
EXPANSIONS = ["author_id", "referenced_tweets.id", "referenced_tweets.id.author_id"]
USER_FIELDS = ["username"]
RECENT_WINDOW = timedelta(days=7)  # how far back recent search goes
WINDOW_MARGIN = timedelta(minutes=10)  # so the fallback start time stays valid for a few polls
SNOWFLAKE_EPOCH_MS = 1288834974657  # post ids hold their creation time: (id >> 22) + this


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


def classify(error: BaseException) -> retry.Verdict | None:
    if window_refused(error):
        return None  # not a failure: the poll starts again from the oldest time X serves
    if isinstance(error, tweepy.TooManyRequests):
        wait = retry.wait_from_headers(error.response.headers)
        return retry.Verdict(True, "rate limited (429)", wait, rate_limited=True)
    if isinstance(error, tweepy.HTTPException):
        return retry.status_failure(
            error.response.status_code, {}, f"HTTP {error.response.status_code}"
        )
    if isinstance(error, requests.RequestException):
        return retry.Verdict(True, f"network error: {type(error).__name__}")
    return None


def search_queries(config: XSource, context: Context) -> list[str]:
    """The source's queries or the profile's; the accounts' own posts unless `own_replies` is
    off."""
    if not config.queries:
        return queries.x_queries(context.profile, own_replies=config.own_replies)
    own = queries.x_own_queries(context.profile) if config.own_replies else []
    return [*config.queries, *own]


def window_refused(error: BaseException) -> bool:
    """X's 400 for a since_id (or start_time) older than recent search's 7 days."""
    return isinstance(error, tweepy.BadRequest) and any(
        isinstance(item, dict) and {"since_id", "start_time"} & set(item.get("parameters") or {})
        for item in error.api_errors
    )


def poll(config: SourceConfig, context: Context, checkpoint: Lookup) -> Iterator[Page]:
    assert isinstance(config, XSource)
    client = make_client(config)
    for query in search_queries(config, context):

        def search(
            since_id: str | None, start: str | None, token: str | None, query: str = query
        ) -> dict[str, Any]:
            answer: dict[str, Any] = context.call(
                lambda: client.search_recent_tweets(
                    query,
                    since_id=since_id,
                    start_time=start,
                    next_token=token,
                    max_results=100,
                    tweet_fields=TWEET_FIELDS,
                    expansions=EXPANSIONS,
                    user_fields=USER_FIELDS,
                ),
                classify=classify,
                policy=config.retry,
                what=f"X search {query!r}",
            )
            return answer

        def fetch(mark: str | None, token: str | None, query: str = query) -> Batch:
            """The mark is a post id (since_id), or a time (start_time) after a refused one."""
            by_id = mark is None or mark.isdigit()
            try:
                answer = search(mark if by_id else None, None if by_id else mark, token)
            except tweepy.BadRequest as error:
                if not window_refused(error):
                    raise
                start = _window_start(context.now())
                _report_gap(config, query, mark, start)
                try:  # a page token belongs to the request that made it: the sweep starts again
                    answer = search(None, start, None)
                except tweepy.BadRequest as again:
                    raise retry.SourceUnavailableError(
                        f"X search {query!r}: start_time {start} refused too (is the clock right?)"
                    ) from again
                return replace(_batch(answer, query, context), mark=start)
            return _batch(answer, query, context)

        yield from sweep(
            query=query,
            state=checkpoint(query),
            fetch=fetch,
            max_pages=config.max_pages,
            order=numeric,
        )


def _window_start(now: datetime) -> str:
    return (now - RECENT_WINDOW + WINDOW_MARGIN).strftime("%Y-%m-%dT%H:%M:%SZ")


def _mark_time(mark: str | None) -> datetime | None:
    if not mark:
        return None
    if mark.isdigit():
        return datetime.fromtimestamp(((int(mark) >> 22) + SNOWFLAKE_EPOCH_MS) / 1000, UTC)
    try:
        return parse_time(mark)
    except ValueError:
        return None


def _report_gap(config: XSource, query: str, mark: str | None, start: str) -> None:
    since = _mark_time(mark)
    lost = max(0.0, (parse_time(start) - since).total_seconds()) if since else 0.0
    metrics.GAPS.labels(config.id).inc()
    metrics.GAP_SECONDS.labels(config.id).inc(lost)
    log.warning(
        "%s: X refused the checkpoint of %r (older than recent search's 7 days); searching "
        "from %s on: %s of posts could not be recovered",
        config.id,
        query,
        start,
        timedelta(seconds=round(lost)),
    )


@dataclass(frozen=True)
class Includes:
    """What an answer's `includes` holds: authors' usernames, and the posts that are reposted."""

    users: dict[str, str]
    tweets: dict[str, dict[str, Any]]


def includes_of(answer: dict[str, Any]) -> Includes:
    found = answer.get("includes") or {}
    users = {
        str(u["id"]): u["username"]
        for u in found.get("users") or []
        if isinstance(u, dict) and "username" in u and "id" in u
    }
    tweets = {
        str(t["id"]): t for t in found.get("tweets") or [] if isinstance(t, dict) and "id" in t
    }
    return Includes(users, tweets)


def _batch(answer: dict[str, Any], query: str, context: Context) -> Batch:
    includes = includes_of(answer)
    tweets = answer.get("data") or []
    mentions, malformed = read_items(
        tweets, lambda tweet: to_mention(tweet, includes, query, context), where=f"X {query!r}"
    )
    meta = answer.get("meta") or {}
    return Batch(mentions, len(tweets), malformed, meta.get("next_token"), meta.get("newest_id"))


def to_mention(
    tweet: dict[str, Any], includes: Includes, query: str, context: Context
) -> RawMention | None:
    """A repost becomes the post it reposts; None when that post is gone (deleted, withheld)."""
    for reference in tweet.get("referenced_tweets") or []:
        if reference.get("type") == "retweeted":
            original = includes.tweets.get(str(reference.get("id")))
            if original is None:
                return None
            tweet = original
    username = includes.users[str(dig(tweet, "author_id"))]
    counts = tweet.get("public_metrics") or {}
    return context.mention(
        source=SOURCE,
        native_id=str(dig(tweet, "id")),
        handle=username,
        text=(tweet.get("note_tweet") or {}).get("text") or dig(tweet, "text"),
        created_at=dig(tweet, "created_at"),
        url=f"https://x.com/{username}/status/{tweet['id']}",
        likes=counts.get("like_count"),
        shares=counts.get("retweet_count", 0) + counts.get("quote_count", 0),
        replies=counts.get("reply_count"),
        lang=tweet.get("lang"),
        query=query,
        in_reply_to=next(
            (
                str(reference.get("id"))
                for reference in tweet.get("referenced_tweets") or []
                if reference.get("type") == "replied_to"
            ),
            None,
        ),
        thread=_text(tweet.get("conversation_id")),
    )


def _text(value: object) -> str | None:
    return str(value) if value else None


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
            "expansions": EXPANSIONS,
            "user_fields": USER_FIELDS,
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
        [tweet], lambda t: to_mention(t, includes_of(answer), query, context), where="X stream"
    )
    return Page("stream", mentions, 1, malformed)
