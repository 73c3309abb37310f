"""Bluesky with atproto: `app.bsky.feed.searchPosts`, newest first, paged with its cursor.

Queries: the source's `queries`, else one per name, hashtag and place (`queries.phrase_queries`),
filtered to the profile's language when it has only one. The checkpoint is the newest post's
index time; the next poll asks only for posts `since` it.
Credentials: MURMURE_BLUESKY_HANDLE and MURMURE_BLUESKY_APP_PASSWORD (an app password), optional
where the endpoint serves search without an account.
"""

from collections.abc import Iterator
from typing import Any

from atproto import Client, models  # type: ignore[import-untyped]
from atproto_client import exceptions  # type: ignore[import-untyped]

from config.secrets import read_secret
from config.sources import BlueskySource, SourceConfig
from listeners import queries, retry
from listeners.context import Context, Lookup, Page, dig, read_items
from listeners.sweep import Batch, sweep
from schemas import RawMention

SOURCE = "bluesky"
HANDLE_VARIABLE = "MURMURE_BLUESKY_HANDLE"
PASSWORD_VARIABLE = "MURMURE_BLUESKY_APP_PASSWORD"
PAGE_SIZE = 100


def classify(error: BaseException) -> retry.Failure | None:
    if isinstance(error, exceptions.RequestErrorBase) and error.response is not None:
        status = error.response.status_code
        return retry.status_failure(status, error.response.headers, f"HTTP {status}")
    if isinstance(error, exceptions.NetworkError | exceptions.InvokeTimeoutError):
        return retry.Failure(True, f"network error: {type(error).__name__}")
    return None


def make_client(config: BlueskySource, context: Context) -> Client:
    client = Client(base_url=str(config.api_url).rstrip("/"))
    handle = read_secret(HANDLE_VARIABLE, required=False)
    password = read_secret(PASSWORD_VARIABLE, required=False)
    if handle and password:
        context.call(
            lambda: client.login(handle.get_secret_value(), password.get_secret_value()),
            classify=classify,
            policy=config.retry,
            what="Bluesky login",
        )
    return client


def poll(config: SourceConfig, context: Context, checkpoint: Lookup) -> Iterator[Page]:
    assert isinstance(config, BlueskySource)
    client = make_client(config, context)
    languages = context.profile.library.languages
    lang = languages[0] if len(languages) == 1 else None
    for query in config.queries or queries.phrase_queries(context.profile):

        def fetch(mark: str | None, cursor: str | None, query: str = query) -> Batch:
            since = mark.split(" ", 1)[0] if mark else None
            params = models.AppBskyFeedSearchPosts.Params(
                q=query, sort="latest", since=since, cursor=cursor, limit=PAGE_SIZE, lang=lang
            )
            answer = context.call(
                lambda: client.invoke_query("app.bsky.feed.searchPosts", params=params),
                classify=classify,
                policy=config.retry,
                what=f"Bluesky search {query!r}",
            )
            content = answer.content if isinstance(answer.content, dict) else {}
            posts = [p for p in content.get("posts") or [] if mark is None or _key(p) != mark]
            mentions, malformed = read_items(
                posts, lambda post: to_mention(post, query, context), where=f"Bluesky {query!r}"
            )
            keys = [key for key in map(_key, posts) if key]
            newest = max(keys) if keys else None
            return Batch(mentions, len(posts), malformed, content.get("cursor"), newest)

        yield from sweep(
            query=query, state=checkpoint(query), fetch=fetch, max_pages=config.max_pages
        )


def _key(post: Any) -> str | None:
    """Index time then URI: the mark, and the one post `since` (inclusive) sends again."""
    if isinstance(post, dict) and isinstance(post.get("indexedAt"), str):
        return f"{post['indexedAt']} {post.get('uri', '')}"
    return None


def to_mention(post: dict[str, Any], query: str, context: Context) -> RawMention:
    uri = str(dig(post, "uri"))
    handle = str(dig(post, "author", "handle"))
    record = dig(post, "record")
    langs = record.get("langs") or [None]
    return context.mention(
        source=SOURCE,
        native_id=uri,
        handle=handle,
        text=dig(record, "text"),
        created_at=dig(record, "createdAt"),
        url=f"https://bsky.app/profile/{handle}/post/{uri.rsplit('/', 1)[-1]}",
        likes=post.get("likeCount"),
        shares=(post.get("repostCount") or 0) + (post.get("quoteCount") or 0),
        replies=post.get("replyCount"),
        lang=langs[0],
        query=query,
    )
