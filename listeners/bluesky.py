"""Bluesky with atproto: `app.bsky.feed.searchPosts`, newest first, paged with its cursor.

Queries: the source's `queries`, else one per name, hashtag and place (`queries.phrase_queries`),
filtered to the profile's language when it has only one.
Marks are on two clocks. The API filters `since` on a post's sort time (the earlier of its
`createdAt` and its `indexedAt`), and a post reaches the search index a little after it was
written; so each poll asks `since` the newest index time seen minus `INDEXING_LAG`, and keeps
only the posts indexed after that newest index time (the mark): a post written before the last
poll but indexed after it is found, and none is sent twice.
The library's own accounts are searched too (`from:handle`): their replies are the answers; a
reply's record names its parent and its thread's root (`reply.parent`, `reply.root`).
Credentials: MURMURE_BLUESKY_HANDLE and MURMURE_BLUESKY_APP_PASSWORD (an app password), required:
search answers 401 `AuthMissing` without a session. The session is kept between polls and
refreshed before its access token expires; one the server refuses anyway (`ExpiredToken`,
`AuthMissing`) is replaced by a new login, and the page is asked again.
"""

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any, TypeVar

from atproto import Client, models  # type: ignore[import-untyped]
from atproto_client import exceptions  # type: ignore[import-untyped]

from config.secrets import MissingSecretError, read_secret
from config.sources import BlueskySource, SourceConfig
from listeners import queries, retry
from listeners.context import Context, Lookup, Page, dig, parse_time, read_items
from listeners.sweep import Batch, sweep
from schemas import RawMention

SOURCE = "bluesky"
HANDLE_VARIABLE, PASSWORD_VARIABLE = BlueskySource.credentials
PAGE_SIZE = 100
INDEXING_LAG = timedelta(hours=1)  # a post indexed later than this after its creation is missed
SESSION_REFUSED = frozenset({"ExpiredToken", "AuthMissing", "InvalidToken"})
T = TypeVar("T")


def classify(error: BaseException) -> retry.Verdict | None:
    if _session_refused(error):
        return None  # not a failure: the caller logs in again
    if isinstance(error, exceptions.RequestErrorBase) and error.response is not None:
        status = error.response.status_code
        reason = f"HTTP {status} {_error_name(error) or ''}".strip()
        if _error_name(error) == "AuthenticationRequired":
            reason += f": check {HANDLE_VARIABLE} and {PASSWORD_VARIABLE}"
        return retry.status_failure(status, error.response.headers, reason)
    if isinstance(error, exceptions.NetworkError | exceptions.InvokeTimeoutError):
        return retry.Verdict(True, f"network error: {type(error).__name__}")
    return None


def _error_name(error: BaseException) -> str | None:
    response = getattr(error, "response", None)
    name = getattr(getattr(response, "content", None), "error", None)
    return name if isinstance(name, str) else None


def _session_refused(error: BaseException) -> bool:
    return (
        isinstance(error, exceptions.BadRequestError | exceptions.UnauthorizedError)
        and _error_name(error) in SESSION_REFUSED
    )


def credentials() -> tuple[str, str]:
    handle = read_secret(HANDLE_VARIABLE, required=False)
    password = read_secret(PASSWORD_VARIABLE, required=False)
    if handle is None or password is None:
        raise MissingSecretError(
            f"Bluesky search needs an account: set {HANDLE_VARIABLE} and {PASSWORD_VARIABLE} "
            "(an app password), or their _FILE variants"
        )
    return handle.get_secret_value(), password.get_secret_value()


class Session:
    """A logged-in client whose session outlives the poll (kept in `context.sessions`)."""

    def __init__(self, config: BlueskySource, context: Context) -> None:
        self.handle, self._password = credentials()
        self.config, self.context = config, context
        self.key = f"{SOURCE} {config.api_url} {self.handle}"
        self.client = Client(base_url=str(config.api_url).rstrip("/"))
        # atproto refreshes the access token before it expires; keep what it refreshes.
        self.client.on_session_change(self._remember)
        saved = context.sessions.get(self.key)
        if saved:
            self.client.login(session_string=saved, fetch_bsky_profile=False)
        else:
            self.login()

    def _remember(self, event: object, session: Any) -> None:
        del event
        self.context.sessions[self.key] = session.export()

    def login(self) -> None:
        self.context.sessions.pop(self.key, None)
        self.context.call(
            lambda: self.client.login(self.handle, self._password, fetch_bsky_profile=False),
            classify=classify,
            policy=self.config.retry,
            what="Bluesky login",
        )

    def call(self, fn: Callable[[], T], what: str) -> T:
        """`fn` with the retry policy; a session the server refuses is replaced once."""
        try:
            return self.context.call(fn, classify=classify, policy=self.config.retry, what=what)
        except exceptions.RequestErrorBase as error:
            if not _session_refused(error):
                raise
        self.login()
        try:
            return self.context.call(fn, classify=classify, policy=self.config.retry, what=what)
        except exceptions.RequestErrorBase as error:
            if not _session_refused(error):
                raise
            raise retry.SourceUnavailableError(
                f"{what}: a new session was refused too ({_error_name(error)})"
            ) from error


def poll(config: SourceConfig, context: Context, checkpoint: Lookup) -> Iterator[Page]:
    assert isinstance(config, BlueskySource)
    session = Session(config, context)
    languages = context.profile.library.languages
    lang = languages[0] if len(languages) == 1 else None
    handles = queries.own_handles(context.profile, SOURCE) if config.own_replies else []
    own = [f"from:{handle}" for handle in handles]
    for query in (config.queries or queries.phrase_queries(context.profile)) + own:

        def fetch(mark: str | None, cursor: str | None, query: str = query) -> Batch:
            params = models.AppBskyFeedSearchPosts.Params(
                q=query,
                sort="latest",
                since=_since(mark),
                cursor=cursor,
                limit=PAGE_SIZE,
                lang=lang,
            )
            answer = session.call(
                lambda: session.client.invoke_query("app.bsky.feed.searchPosts", params=params),
                what=f"Bluesky search {query!r}",
            )
            content = answer.content if isinstance(answer.content, dict) else {}
            posts = [p for p in content.get("posts") or [] if _newer(p, mark)]
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
    """Index time then URI: the mark, on the clock posts reach the index by."""
    if isinstance(post, dict) and isinstance(post.get("indexedAt"), str):
        return f"{post['indexedAt']} {post.get('uri', '')}"
    return None


def _newer(post: Any, mark: str | None) -> bool:
    key = _key(post)
    return mark is None or key is None or key > mark  # without a key: counted as malformed


def _since(mark: str | None) -> str | None:
    """`since` on the API's sort-time clock, early enough for posts indexed late."""
    if not mark:
        return None
    since = parse_time(mark.split(" ", 1)[0]) - INDEXING_LAG
    return since.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _alt_texts(embed: Any) -> list[str]:
    """Descriptions of a post's images or video (also inside a quote with media)."""
    if not isinstance(embed, dict):
        return []
    media: dict[str, Any] = embed["media"] if isinstance(embed.get("media"), dict) else embed
    images = media.get("images")
    alts = [image.get("alt") for image in images or [] if isinstance(image, dict)]
    alts.append(media.get("alt"))
    return [alt.strip() for alt in alts if isinstance(alt, str) and alt.strip()]


def to_mention(post: dict[str, Any], query: str, context: Context) -> RawMention | None:
    """An image-only post is read from its images' descriptions; without any, it is skipped."""
    uri = str(dig(post, "uri"))
    handle = str(dig(post, "author", "handle"))
    record = dig(post, "record")
    text = str(dig(record, "text")).strip() or "\n".join(_alt_texts(record.get("embed")))
    if not text:
        return None
    langs = record.get("langs") or [None]
    reply = record.get("reply") or {}  # strong references to the parent post and the thread's root
    return context.mention(
        source=SOURCE,
        native_id=uri,
        handle=handle,
        text=text,
        created_at=dig(record, "createdAt"),
        url=f"https://bsky.app/profile/{handle}/post/{uri.rsplit('/', 1)[-1]}",
        likes=post.get("likeCount"),
        shares=(post.get("repostCount") or 0) + (post.get("quoteCount") or 0),
        replies=post.get("replyCount"),
        lang=langs[0],
        query=query,
        in_reply_to=(reply.get("parent") or {}).get("uri"),
        thread=(reply.get("root") or {}).get("uri"),
    )
