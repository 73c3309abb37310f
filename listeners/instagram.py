"""Instagram professional accounts of the library, through the Graph API, polled.

Per account, two checkpoints: `{account}/comments` (comments on media of the last
`comment_days` days) and `{account}/tags` (media by others that tag the account).
Credential: MURMURE_META_PAGE_TOKEN, the token of the Facebook page linked to the account.
"""

from collections.abc import Iterator
from functools import partial
from typing import Any

from config.sources import InstagramSource, SourceConfig
from listeners import http
from listeners.context import Context, Lookup, Page, dig, parse_time
from listeners.graph import Graph, edge, time_of
from schemas import RawMention

SOURCE = "instagram"
MEDIA_FIELDS = "id,caption,timestamp,permalink,username,like_count,comments_count"
REPLY_FIELDS = "id,text,timestamp,username,like_count,parent_id"
# A comment's replies (the library's answers among them) come nested, one level deep.
COMMENT_FIELDS = f"{REPLY_FIELDS},replies{{{REPLY_FIELDS}}}"


def poll(config: SourceConfig, context: Context, checkpoint: Lookup) -> Iterator[Page]:
    assert isinstance(config, InstagramSource)
    with http.make_http_client(config.retry) as client:
        graph = Graph(config, context, client)
        for account in config.accounts:
            query = f"{account}/tags"
            yield from edge(
                graph,
                query,
                [(query, {"fields": MEDIA_FIELDS})],
                checkpoint(query),
                partial(media_mention, query=query, context=context),
                "timestamp",
            )
            since = parse_time(context.now()).timestamp() - config.comment_days * 86_400
            media = [
                item["id"]
                for items in graph.pages(f"{account}/media", {"fields": "id,timestamp"})
                for item in items
                if isinstance(item, dict) and "id" in item and _after(item, since)
            ]
            query = f"{account}/comments"
            yield from edge(
                graph,
                query,
                [(f"{item}/comments", {"fields": COMMENT_FIELDS}) for item in media],
                checkpoint(query),
                partial(comment_mention, query=query, context=context),
                _latest,
                newest_first=False,  # the comments edge documents no order
            )


def _after(item: dict[str, Any], since: float) -> bool:
    try:
        return parse_time(item["timestamp"]).timestamp() >= since
    except (KeyError, TypeError, ValueError):
        return True


def media_mention(
    item: dict[str, Any], account: str, query: str, context: Context
) -> RawMention | None:
    del account  # media by others that tag the account: not a reply
    if not item.get("caption"):
        return None
    return context.mention(
        source=SOURCE,
        native_id=str(dig(item, "id")),
        handle=str(dig(item, "username")),
        text=str(item["caption"]),
        created_at=dig(item, "timestamp"),
        url=item.get("permalink"),
        likes=item.get("like_count"),
        replies=item.get("comments_count"),
        query=query,
    )


def _latest(comment: Any) -> str:
    """A comment's newest time, its replies' included: a late answer brings the comment back."""
    replies = (
        ((comment.get("replies") or {}).get("data") or []) if isinstance(comment, dict) else []
    )
    return max(time_of(item, "timestamp") for item in [comment, *replies])


def comment_mention(
    item: dict[str, Any], media: str, query: str, context: Context
) -> list[RawMention]:
    """The comment, on `media` (its thread), then its replies."""
    replies = (item.get("replies") or {}).get("data") or []
    return [
        context.mention(
            source=SOURCE,
            native_id=str(dig(comment, "id")),
            handle=str(dig(comment, "username")),
            text=str(dig(comment, "text")),
            created_at=dig(comment, "timestamp"),
            likes=comment.get("like_count"),
            query=query,
            in_reply_to=media if comment is item else str(comment.get("parent_id") or item["id"]),
            thread=media,
        )
        for comment in [item, *replies]
    ]
