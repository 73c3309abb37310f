"""Mastodon with Mastodon.py: hashtag timelines and searches on the configured instance, polled.

Hashtags: the source's `hashtags`, else the profile's (without '#'). Searches: the source's
`queries` only (full-text search needs a token and is off on many instances). Paging uses
`min_id`, so each page starts right after the last one saved: no gap, no overlap.
Credential: MURMURE_MASTODON_TOKEN, optional (public hashtag timelines need none).
"""

import time
from collections.abc import Callable, Iterator
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
from listeners import queries, retry
from listeners.context import Context, Lookup, Page, dig, read_items
from listeners.text import html_to_text
from listeners.version import USER_AGENT
from schemas import RawMention

SOURCE = "mastodon"
TOKEN_VARIABLE = "MURMURE_MASTODON_TOKEN"
PAGE_SIZE = 40  # the API's maximum


def make_client(config: MastodonSource) -> Mastodon:
    token = read_secret(TOKEN_VARIABLE, required=False)
    return Mastodon(
        api_base_url=str(config.instance).rstrip("/"),
        access_token=token.get_secret_value() if token else None,
        ratelimit_method="throw",  # waiting is done by listeners.retry, from the reset header
        request_timeout=config.retry.timeout_seconds,
        user_agent=USER_AGENT,
        version_check_mode="none",
    )


def classifier(client: Mastodon) -> retry.Classify:
    def classify(error: BaseException) -> retry.Failure | None:
        if isinstance(error, MastodonRatelimitError):
            reset = getattr(client, "ratelimit_reset", None)
            wait = max(0.0, float(reset) - time.time()) if reset else None
            return retry.Failure(True, "rate limited (429)", wait, rate_limited=True)
        if isinstance(error, MastodonServerError):
            return retry.Failure(True, f"server error {_status(error)}")
        if isinstance(error, MastodonNetworkError):
            return retry.Failure(True, f"network error: {error}")
        if isinstance(error, MastodonAPIError):
            return retry.Failure(False, f"HTTP {_status(error)}")
        return None

    return classify


def _status(error: MastodonAPIError) -> object:
    return error.args[1] if len(error.args) > 1 else "?"


def poll(config: SourceConfig, context: Context, checkpoint: Lookup) -> Iterator[Page]:
    assert isinstance(config, MastodonSource)
    client = make_client(config)
    host = urlparse(str(config.instance)).hostname or ""
    searches: list[tuple[str, Callable[[str | None], list[Any]]]] = [
        (f"#{tag}", _hashtag(client, tag))
        for tag in config.hashtags or queries.hashtags(context.profile)
    ]
    searches += [(query, _search(client, query)) for query in config.queries]
    for query, fetch in searches:
        yield from _pages(
            query,
            fetch,
            config=config,
            context=context,
            checkpoint=checkpoint,
            classify=classifier(client),
            host=host,
        )


def _hashtag(client: Mastodon, tag: str) -> Callable[[str | None], list[Any]]:
    def fetch(min_id: str | None) -> list[Any]:
        return list(client.timeline_hashtag(tag, min_id=min_id, limit=PAGE_SIZE))

    return fetch


def _search(client: Mastodon, query: str) -> Callable[[str | None], list[Any]]:
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
    fetch: Callable[[str | None], list[Any]],
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
    )
