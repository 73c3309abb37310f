"""Reddit with praw (read-only, app-only OAuth): search in the configured subreddits, newest first.

Queries: the source's `queries`, else names and places OR-ed (`queries.reddit_queries`), each
run once over all the subreddits (`r/a+b`). Posts only: Reddit search does not return comments;
the comments of the library's own accounts are read from their profiles, since they are answers
(`parent_id` is what a comment replies to, `link_id` its post; both are full names, as post ids).
The checkpoint is the newest post's time; a sweep stops at it.
Credentials: MURMURE_REDDIT_CLIENT_ID and MURMURE_REDDIT_CLIENT_SECRET (a "script" app).
"""

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import praw
import prawcore

from config.secrets import require_secret
from config.sources import RedditSource, SourceConfig
from listeners import queries, retry
from listeners.context import Context, Lookup, Page, dig
from listeners.sweep import Batch, down_to_mark, sweep
from listeners.version import USER_AGENT
from schemas import RawMention

SOURCE = "reddit"
ID_VARIABLE = "MURMURE_REDDIT_CLIENT_ID"
SECRET_VARIABLE = "MURMURE_REDDIT_CLIENT_SECRET"
PAGE_SIZE = 100


def make_client(config: RedditSource) -> praw.Reddit:
    return praw.Reddit(
        client_id=require_secret(ID_VARIABLE).get_secret_value(),
        client_secret=require_secret(SECRET_VARIABLE).get_secret_value(),
        user_agent=USER_AGENT,
        oauth_url=str(config.api_url).rstrip("/"),
        reddit_url=str(config.auth_url).rstrip("/"),
        check_for_updates=False,
        check_for_async=False,
        timeout=int(config.retry.timeout_seconds),
    )


def classify(error: BaseException) -> retry.Verdict | None:
    if isinstance(error, prawcore.ResponseException):
        status = error.response.status_code
        return retry.status_failure(status, error.response.headers, f"HTTP {status}")
    if isinstance(error, prawcore.RequestException):
        return retry.Verdict(True, f"network error: {error}")
    if isinstance(error, prawcore.OAuthException):
        return retry.Verdict(False, f"Reddit refused the app's credentials: {error}")
    return None


def poll(config: SourceConfig, context: Context, checkpoint: Lookup) -> Iterator[Page]:
    assert isinstance(config, RedditSource)
    reddit = make_client(config)
    subreddits = "+".join(name.removeprefix("r/") for name in config.subreddits)
    for search in config.queries or queries.reddit_queries(context.profile):
        query = f"r/{subreddits} {search}"

        def fetch(
            mark: str | None, after: str | None, search: str = search, query: str = query
        ) -> Batch:
            params: dict[str, str | int] = {
                "q": search,
                "restrict_sr": "on",
                "sort": "new",
                "syntax": "lucene",
                "t": "all",
            }
            return _listing(
                reddit,
                config,
                context,
                f"r/{subreddits}/search",
                params,
                page=(mark, after),
                make=lambda post: to_mention(post, query, context),
                where=query,
                what=f"Reddit search {search!r}",
            )

        yield from sweep(
            query=query, state=checkpoint(query), fetch=fetch, max_pages=config.max_pages
        )
    for account in queries.own_handles(context.profile, SOURCE) if config.own_replies else []:
        yield from _answers(reddit, account.removeprefix("u/"), config, context, checkpoint)


def _answers(
    reddit: praw.Reddit, account: str, config: RedditSource, context: Context, checkpoint: Lookup
) -> Iterator[Page]:
    """The library account's comments, newest first: its answers to posts and comments."""
    query = f"u/{account}/comments"

    def fetch(mark: str | None, after: str | None) -> Batch:
        return _listing(
            reddit,
            config,
            context,
            f"user/{account}/comments",
            {"sort": "new"},
            page=(mark, after),
            make=lambda comment: comment_mention(comment, query, context),
            where=query,
            what=f"Reddit comments of u/{account}",
        )

    yield from sweep(query=query, state=checkpoint(query), fetch=fetch, max_pages=config.max_pages)


def _listing(
    reddit: praw.Reddit,
    config: RedditSource,
    context: Context,
    path: str,
    params: dict[str, str | int],
    *,
    page: tuple[str | None, str | None],
    make: Callable[[Any], RawMention],
    where: str,
    what: str,
) -> Batch:
    """One page of a newest-first listing, cut at the mark; `page` is (mark, `after` token)."""
    mark, after = page
    params = params | {"limit": PAGE_SIZE, "raw_json": 1} | ({"after": after} if after else {})
    answer: Any = context.call(
        lambda: reddit.request(method="GET", path=path, params=params),
        classify=classify,
        policy=config.retry,
        what=what,
    )
    listing = dig(answer, "data")
    children = [child.get("data", child) for child in listing.get("children") or []]
    return down_to_mark(
        children, mark, key=_key, make=make, where=where, next_token=listing.get("after")
    )


def _key(post: Any) -> str | None:
    """Creation time (fixed width, so text order is time order), then the post's full name."""
    try:
        return f"{float(post['created_utc']):016.3f} {post.get('name', '')}"
    except (KeyError, TypeError, ValueError):
        return None


def to_mention(post: dict[str, Any], query: str, context: Context) -> RawMention:
    title = str(dig(post, "title"))
    body = post.get("selftext") or ""
    return context.mention(
        source=SOURCE,
        native_id=str(dig(post, "name")),
        handle=str(dig(post, "author")),
        text=f"{title}\n{body}".strip(),
        created_at=datetime.fromtimestamp(float(dig(post, "created_utc")), UTC),
        url=f"https://www.reddit.com{post['permalink']}" if post.get("permalink") else None,
        likes=max(0, int(post.get("score") or 0)),
        replies=post.get("num_comments"),
        query=query,
    )


def comment_mention(comment: dict[str, Any], query: str, context: Context) -> RawMention:
    """A comment replies to its `parent_id` (a post or a comment) in the post `link_id`."""
    return context.mention(
        source=SOURCE,
        native_id=str(dig(comment, "name")),
        handle=str(dig(comment, "author")),
        text=str(dig(comment, "body")),
        created_at=datetime.fromtimestamp(float(dig(comment, "created_utc")), UTC),
        url=f"https://www.reddit.com{comment['permalink']}" if comment.get("permalink") else None,
        likes=max(0, int(comment.get("score") or 0)),
        query=query,
        in_reply_to=str(dig(comment, "parent_id")),
        thread=str(dig(comment, "link_id")),
    )
