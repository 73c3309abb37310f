"""Mastodon with Mastodon.py: hashtag timelines and searches polled; hashtags streamed if allowed.

Hashtags: the source's `hashtags`, else the profile's (without '#'). Searches: the source's
`queries` only (full-text search needs a token and is off on many instances), and the statuses
of the library's own accounts (`from:acct`), whose replies (`in_reply_to_id`) are answers.
Paging uses `min_id`, so each page starts right after the last one saved: no gap, no overlap.
With `stream: true` (long-running mode only) the hashtags come as server-sent events
(`listeners.mastodon_stream`); the checkpoint is the same `min_id` mark, so polling and
streaming resume from each other.
Credential: MURMURE_MASTODON_TOKEN, optional (public hashtag timelines need none; streams do
on Mastodon 4.2 and later).
"""

import json
import logging
import queue
import time
from collections.abc import Callable, Generator, Iterator
from functools import partial
from typing import Any
from urllib.parse import urlparse

from mastodon import (
    Mastodon,
    MastodonAPIError,
    MastodonNetworkError,
    MastodonRatelimitError,
    MastodonServerError,
)

from config.secrets import read_secret
from config.sources import MastodonSource, SourceConfig
from listeners import http, queries, retry
from listeners.checkpoints import State
from listeners.context import Context, Lookup, Page, dig, read_items
from listeners.mastodon_stream import Dropped, Event, Streams, streaming_base
from listeners.text import html_to_text
from listeners.version import USER_AGENT
from schemas import RawMention

log = logging.getLogger(__name__)
SOURCE = "mastodon"
TOKEN_VARIABLE = "MURMURE_MASTODON_TOKEN"
PAGE_SIZE = 40  # the API's maximum
STOP_CHECK_SECONDS = 1.0  # how often a quiet stream looks at the stop request
FetchNewer = Callable[[str | None], list[Any]]  # statuses newer than a mark (min_id)


def _token() -> str | None:
    token = read_secret(TOKEN_VARIABLE, required=False)
    return token.get_secret_value() if token else None


def make_client(config: MastodonSource) -> Mastodon:
    return Mastodon(
        api_base_url=str(config.instance).rstrip("/"),
        access_token=_token(),
        ratelimit_method="throw",  # waiting is done by listeners.retry, from the reset header
        request_timeout=config.retry.timeout_seconds,
        user_agent=USER_AGENT,
        version_check_mode="none",
    )


def classifier(client: Mastodon) -> retry.Classify:
    def classify(error: BaseException) -> retry.Verdict | None:
        if isinstance(error, MastodonRatelimitError):
            reset = getattr(client, "ratelimit_reset", None)
            wait = max(0.0, float(reset) - time.time()) if reset else None
            return retry.Verdict(True, "rate limited (429)", wait, rate_limited=True)
        if isinstance(error, MastodonServerError):
            return retry.Verdict(True, f"server error {_status(error)}")
        if isinstance(error, MastodonNetworkError):
            return retry.Verdict(True, f"network error: {error}")
        if isinstance(error, MastodonAPIError):
            return retry.Verdict(False, f"HTTP {_status(error)}")
        return None

    return classify


def _status(error: MastodonAPIError) -> object:
    return error.args[1] if len(error.args) > 1 else "?"


def poll(config: SourceConfig, context: Context, checkpoint: Lookup) -> Iterator[Page]:
    assert isinstance(config, MastodonSource)
    client = make_client(config)
    fetches = _hashtags(client, config, context) + _searches(client, config, context)
    yield from _poll(fetches, client, config, context, checkpoint)


def _tags(config: MastodonSource, context: Context) -> list[str]:
    return config.hashtags or queries.hashtags(context.profile)


def _host(config: MastodonSource) -> str:
    return urlparse(str(config.instance)).hostname or ""


def _hashtags(
    client: Mastodon, config: MastodonSource, context: Context
) -> list[tuple[str, FetchNewer]]:
    return [(f"#{tag}", _hashtag(client, tag)) for tag in _tags(config, context)]


def _searches(
    client: Mastodon, config: MastodonSource, context: Context
) -> list[tuple[str, FetchNewer]]:
    """The searches, and the statuses of the library's own accounts: their replies are answers."""
    own = [
        (f"from:{handle}", _account(client, handle))
        for handle in queries.own_handles(context.profile, SOURCE)
        if config.own_replies
    ]
    return [(query, _search(client, query)) for query in config.queries] + own


def _account(client: Mastodon, handle: str) -> FetchNewer:
    def fetch(min_id: str | None) -> list[Any]:
        account = client.account_lookup(handle)
        return list(
            client.account_statuses(
                account["id"], min_id=min_id, limit=PAGE_SIZE, exclude_reblogs=True
            )
        )

    return fetch


def _poll(
    fetches: list[tuple[str, FetchNewer]],
    client: Mastodon,
    config: MastodonSource,
    context: Context,
    checkpoint: Lookup,
) -> Iterator[Page]:
    for query, fetch in fetches:
        yield from _pages(
            query,
            fetch,
            config=config,
            context=context,
            checkpoint=checkpoint,
            classify=classifier(client),
            host=_host(config),
        )


def _hashtag(client: Mastodon, tag: str) -> FetchNewer:
    def fetch(min_id: str | None) -> list[Any]:
        return list(client.timeline_hashtag(tag, min_id=min_id, limit=PAGE_SIZE))

    return fetch


def _search(client: Mastodon, query: str) -> FetchNewer:
    def fetch(min_id: str | None) -> list[Any]:
        found = client.search_v2(
            query,
            result_type="statuses",
            min_id=min_id,
            limit=PAGE_SIZE,
            resolve=False,
            exclude_unreviewed=False,  # about hashtags only; True makes Mastodon.py probe versions
        )
        return list(found["statuses"])

    return fetch


def _pages(
    query: str,
    fetch: FetchNewer,
    *,
    config: MastodonSource,
    context: Context,
    checkpoint: Lookup,
    classify: retry.Classify,
    host: str,
) -> Iterator[Page]:
    """Forward from the saved id: `min_id` returns the statuses just after it."""
    mark: str | None = (checkpoint(query) or {}).get("mark")
    for _ in range(config.max_pages):
        statuses = context.call(
            partial(fetch, mark),
            classify=classify,
            policy=config.retry,
            what=f"Mastodon {query!r}",
        )
        mentions, malformed = read_items(
            statuses,
            lambda status: to_mention(status, query, host, context),
            where=f"Mastodon {query!r}",
        )
        ids = [int(s["id"]) for s in statuses if isinstance(s, dict) and str(s.get("id")).isdigit()]
        if ids:
            mark = str(max([*ids, int(mark or 0)]))
        yield Page(query, mentions, len(statuses), malformed, {"mark": mark} if mark else None)
        if len(statuses) < PAGE_SIZE or context.stop.is_set():
            return


def to_mention(status: dict[str, Any], query: str, host: str, context: Context) -> RawMention:
    post = status.get("reblog") or status  # a boost is the original post, once
    acct = str(dig(post, "account", "acct"))
    handle = acct if "@" in acct else f"{acct}@{host}"
    text = html_to_text(str(dig(post, "content")))
    if post.get("spoiler_text"):
        text = f"{post['spoiler_text']}\n{text}"
    return context.mention(
        source=SOURCE,
        native_id=str(dig(post, "id")),
        handle=handle,
        text=text,
        created_at=dig(post, "created_at"),
        url=post.get("url") or post.get("uri"),
        likes=post.get("favourites_count"),
        shares=post.get("reblogs_count"),
        replies=post.get("replies_count"),
        lang=post.get("language"),
        query=query,
        in_reply_to=str(post["in_reply_to_id"]) if post.get("in_reply_to_id") else None,
    )


# --- hashtag streams -------------------------------------------------------------------------


def stream(config: SourceConfig, context: Context, checkpoint: Lookup) -> Iterator[Page]:
    """Hashtag statuses as they come, until stopped; every (re)connection polls what it missed.

    The streams open before the catch-up poll, so a status posted in between is in both and
    collapses on its id. A dropped stream reconnects after the retry backoff; the searches, which
    have no stream, are polled every `poll_seconds` meanwhile. An instance that refuses to stream
    raises StreamNotAllowedError, and the runner polls instead.
    """
    assert isinstance(config, MastodonSource)
    tags = _tags(config, context)
    if not tags:
        raise retry.StreamNotAllowedError("Mastodon: no hashtag to stream")
    client = make_client(config)
    token = _token()
    base = streaming_base(config, client, context)
    drops = 0
    with http.make_http_client(config.retry) as web:
        while not context.stop.is_set():
            streams = Streams()
            try:
                for tag in tags:
                    streams.open(web, base, tag, token=token, config=config, context=context)
                opened = time.monotonic()
                yield from _poll(
                    _hashtags(client, config, context), client, config, context, checkpoint
                )
                dropped = yield from _follow(streams, client, config, context, checkpoint)
            finally:
                streams.close()
            if dropped is None:
                return
            lasted = time.monotonic() - opened
            drops = 1 if lasted > config.retry.max_backoff_seconds else drops + 1
            wait = retry.backoff(drops - 1, config.retry)
            log.warning(
                "Mastodon stream #%s dropped (%s); reconnecting in %.1fs",
                dropped.tag,
                dropped.reason,
                wait,
            )
            context.sleep(wait)


def _follow(
    streams: Streams,
    client: Mastodon,
    config: MastodonSource,
    context: Context,
    checkpoint: Lookup,
) -> Generator[Page, None, Dropped | None]:
    """Pages from the open streams until one drops (returned) or a stop is requested (None)."""
    host = _host(config)
    searches = _searches(client, config, context)
    next_poll = time.monotonic() + config.poll_seconds
    while not context.stop.is_set():
        if searches and time.monotonic() >= next_poll:
            yield from _poll(searches, client, config, context, checkpoint)
            next_poll = time.monotonic() + config.poll_seconds
        try:
            message = streams.messages.get(timeout=STOP_CHECK_SECONDS)
        except queue.Empty:
            continue
        if isinstance(message, Dropped):
            return message
        page = _stream_page(message, host, context, checkpoint)
        if page is not None:
            yield page
    return None


def _stream_page(event: Event, host: str, context: Context, checkpoint: Lookup) -> Page | None:
    """An `update` is a new status; deletions and edits are not new mentions."""
    if event.name != "update":
        return None
    query = f"#{event.tag}"
    where = f"Mastodon stream {query!r}"
    try:
        status = json.loads(event.data)
    except ValueError:
        log.warning("%s: event skipped as malformed: not JSON", where)
        return Page(query, [], 1, 1)
    mentions, malformed = read_items(
        [status], lambda s: to_mention(s, query, host, context), where=where
    )
    return Page(query, mentions, 1, malformed, _advance(checkpoint(query), status))


def _advance(state: State | None, status: object) -> State | None:
    """The mark only moves forward: a status that federated late does not pull it back."""
    native = str(status.get("id")) if isinstance(status, dict) else ""
    if not native.isdigit():
        return None
    mark = (state or {}).get("mark")
    return {"mark": str(max(int(native), int(mark or 0)))}
