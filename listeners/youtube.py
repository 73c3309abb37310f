"""YouTube Data API v3: comments on the library's channel and videos naming it, within quota.

Queries: `channel:{id}/comments` (comment threads on every video of the channel, newest first,
1 quota unit a page) and video searches (the source's `queries`, else `queries.youtube_queries`,
100 units a page, `publishedAfter` the newest video seen). Units are counted per Pacific day,
the API's quota day, and a poll stops before it would pass `daily_quota`.
Search results carry titles and descriptions HTML-escaped (`&amp;`, `&#39;`): they are unescaped.
A comment thread on the channel itself (no video) links to the channel. A thread's replies come
with it (`part=replies`, the ones the API includes), each replying to its `parentId`.
Credential: MURMURE_YOUTUBE_API_KEY (sent as a header, never in a URL).
"""

import html
import logging
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from config.secrets import require_secret
from config.sources import SourceConfig, YouTubeSource
from listeners import http, queries
from listeners.context import Context, Lookup, Page, dig, parse_time
from listeners.sweep import Batch, down_to_mark, sweep
from schemas import RawMention

log = logging.getLogger(__name__)
SOURCE = "youtube"
KEY_VARIABLE = "MURMURE_YOUTUBE_API_KEY"
QUOTA_QUERY = "_quota"
COST = {"commentThreads": 1, "search": 100}  # units per call, from the API's quota table
QUOTA_DAY = ZoneInfo("America/Los_Angeles")  # the quota resets at midnight Pacific time


class QuotaSpent(Exception):  # noqa: N818 - a state, not an error
    """Stops the poll: the checkpoint holds, the next poll (or day) goes on."""


class Quota:
    def __init__(self, state: dict[str, Any] | None, limit: int, now: datetime) -> None:
        self.day = now.astimezone(QUOTA_DAY).date().isoformat()
        same_day = state and state.get("day") == self.day
        self.used = int(state["used"]) if state and same_day else 0
        self.limit = limit

    def spend(self, endpoint: str) -> None:
        cost = COST[endpoint]
        if self.used + cost > self.limit:
            raise QuotaSpent(f"{self.used} of {self.limit} units used today")
        self.used += cost

    def page(self) -> Page:
        return Page(QUOTA_QUERY, [], 0, 0, {"day": self.day, "used": self.used})


def poll(config: SourceConfig, context: Context, checkpoint: Lookup) -> Iterator[Page]:
    assert isinstance(config, YouTubeSource)
    headers = {"X-Goog-Api-Key": require_secret(KEY_VARIABLE).get_secret_value()}
    base = str(config.api_url).rstrip("/")
    quota = Quota(checkpoint(QUOTA_QUERY), config.daily_quota, context.now())
    searches: list[tuple[str, str, dict[str, Any]]] = []
    if config.channel_id:
        searches.append(
            (
                f"channel:{config.channel_id}/comments",
                "commentThreads",
                {
                    "part": "snippet,replies",  # same cost; the replies hold the library's answers
                    "allThreadsRelatedToChannelId": config.channel_id,
                    "order": "time",
                    "textFormat": "plainText",
                    "maxResults": 100,
                },
            )
        )
    for q in config.queries or queries.youtube_queries(context.profile):
        searches.append(
            (
                q,
                "search",
                {"part": "snippet", "q": q, "type": "video", "order": "date", "maxResults": 50},
            )
        )
    with http.make_http_client(config.retry) as client:
        for query, endpoint, params in searches:

            def fetch(
                mark: str | None,
                token: str | None,
                query: str = query,
                endpoint: str = endpoint,
                params: dict[str, Any] = params,
            ) -> Batch:
                quota.spend(endpoint)
                extra: dict[str, Any] = {"pageToken": token} if token else {}
                if endpoint == "search" and mark:
                    extra["publishedAfter"] = mark
                answer = http.get_json(
                    client,
                    f"{base}/{endpoint}",
                    policy=config.retry,
                    params=params | extra,
                    headers=headers,
                    sleep=context.sleep,
                )
                make = _comment if endpoint == "commentThreads" else _video
                return down_to_mark(
                    answer.get("items") or [],
                    mark,
                    key=_published,
                    make=lambda item: make(item, query, context),
                    where=f"YouTube {query!r}",
                    next_token=answer.get("nextPageToken"),
                )

            try:
                for page in sweep(
                    query=query, state=checkpoint(query), fetch=fetch, max_pages=config.max_pages
                ):
                    yield page
                    yield quota.page()
            except QuotaSpent as spent:
                yield quota.page()
                log.warning("YouTube quota reached (%s); the next poll resumes", spent)
                return


def _published(item: Any) -> str:
    try:
        snippet = item["snippet"]
        top = snippet.get("topLevelComment", {}).get("snippet", snippet)
        return parse_time(top["publishedAt"]).isoformat().replace("+00:00", "Z")
    except (KeyError, TypeError, ValueError, AttributeError):
        return ""


def _comment(thread: dict[str, Any], query: str, context: Context) -> list[RawMention]:
    """The thread's first comment (on its video), then the replies the thread carries."""
    comment = dig(thread, "snippet", "topLevelComment")
    snippet = dig(comment, "snippet")
    video = snippet.get("videoId") or thread["snippet"].get("videoId")
    if video:
        url = f"https://www.youtube.com/watch?v={video}&lc={comment['id']}"
    else:  # a comment about the channel itself
        url = f"https://www.youtube.com/channel/{dig(thread, 'snippet', 'channelId')}"
    count = thread["snippet"].get("totalReplyCount")
    first = _one(comment, url, query, context, in_reply_to=video, thread=None, replies=count)
    replies = (thread.get("replies") or {}).get("comments") or []
    return [first] + [
        _one(
            reply,
            f"https://www.youtube.com/watch?v={video}&lc={reply['id']}" if video else url,
            query,
            context,
            in_reply_to=str(dig(reply, "snippet", "parentId")),
            thread=str(comment["id"]),
        )
        for reply in replies
    ]


def _one(
    comment: dict[str, Any],
    url: str,
    query: str,
    context: Context,
    *,
    in_reply_to: str | None,
    thread: str | None,
    replies: int | None = 0,
) -> RawMention:
    snippet = dig(comment, "snippet")
    channel = (snippet.get("authorChannelId") or {}).get("value")
    return context.mention(
        source=SOURCE,
        native_id=str(dig(comment, "id")),
        handle=str(channel or dig(snippet, "authorDisplayName")),
        text=str(snippet.get("textOriginal") or dig(snippet, "textDisplay")),
        created_at=dig(snippet, "publishedAt"),
        url=url,
        likes=snippet.get("likeCount"),
        replies=replies,
        query=query,
        in_reply_to=in_reply_to,
        thread=thread,
    )


def _video(item: dict[str, Any], query: str, context: Context) -> RawMention:
    video = str(dig(item, "id", "videoId"))
    snippet = dig(item, "snippet")
    parts = (snippet.get("title"), snippet.get("description"))
    text = "\n".join(html.unescape(str(part)) for part in parts if part)
    return context.mention(
        source=SOURCE,
        native_id=video,
        handle=str(dig(snippet, "channelId")),
        text=text,
        created_at=dig(snippet, "publishedAt"),
        url=f"https://www.youtube.com/watch?v={video}",
        query=query,
    )
