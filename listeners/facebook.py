"""Facebook pages of the library (often one per branch), through the Graph API, polled.

Per page, three checkpoints: `{page}/feed` (posts on the page, the library's own flagged as
institution), `{page}/comments` (comments on posts of the last `comment_days` days) and
`{page}/tagged` (posts by others that tag the page). Each stops at its newest time seen.
A comment replies to its `parent` comment, or else to the post it is on, which is its thread;
the page's own replies come the same way.
A post's likes are its reactions (all kinds); a comment's are its likes. Authors are keyed on
their account id (two people may share a name), the library's own accounts on the name or id
the profile lists.
Credential: MURMURE_META_PAGE_TOKEN (see listeners.graph).
"""

from collections.abc import Iterator
from functools import partial
from typing import Any

from config.sources import FacebookSource, SourceConfig
from listeners import http
from listeners.context import Context, Lookup, Page, dig
from listeners.graph import Graph, edge
from schemas import RawMention

SOURCE = "facebook"
POST_FIELDS = (
    "id,message,created_time,from,permalink_url,shares,"
    "comments.summary(true).limit(0),reactions.summary(total_count).limit(0)"
)
# `parent`: the comment a reply answers (`filter=stream` lists replies with the comments).
COMMENT_FIELDS = "id,message,created_time,from,like_count,permalink_url,parent{id}"


def poll(config: SourceConfig, context: Context, checkpoint: Lookup) -> Iterator[Page]:
    assert isinstance(config, FacebookSource)
    with http.make_http_client(config.retry) as client:
        graph = Graph(config, context, client)
        for page_id in config.pages:
            for kind in ("feed", "tagged"):
                query = f"{page_id}/{kind}"
                yield from edge(
                    graph,
                    query,
                    [(query, {"fields": POST_FIELDS})],
                    checkpoint(query),
                    partial(to_mention, query=query, context=context),
                    "created_time",
                )
            query = f"{page_id}/comments"
            posts = [
                post["id"]
                for items in graph.pages(
                    f"{page_id}/posts", {"fields": "id", "since": graph.since(config.comment_days)}
                )
                for post in items
                if isinstance(post, dict) and "id" in post
            ]
            params = {
                "fields": COMMENT_FIELDS,
                "filter": "stream",
                "order": "reverse_chronological",
            }
            yield from edge(
                graph,
                query,
                [(f"{post}/comments", params) for post in posts],
                checkpoint(query),
                partial(to_mention, query=query, context=context),
                "created_time",
            )


def to_mention(item: dict[str, Any], node: str, query: str, context: Context) -> RawMention | None:
    """`node` is the post a comment is on (the thread); the page itself for posts."""
    text = item.get("message")
    if not text:  # a photo or a share without words
        return None
    comment = query.endswith("/comments")
    comments = (item.get("comments") or {}).get("summary") or {}
    reactions = (item.get("reactions") or {}).get("summary") or {}
    return context.mention(
        source=SOURCE,
        native_id=str(dig(item, "id")),
        handle=_handle(item.get("from") or {}, context),
        text=str(text),
        created_at=dig(item, "created_time"),
        url=item.get("permalink_url"),
        likes=item.get("like_count", reactions.get("total_count")),
        shares=(item.get("shares") or {}).get("count"),
        replies=comments.get("total_count"),
        query=query,
        in_reply_to=str((item.get("parent") or {}).get("id") or node) if comment else None,
        thread=node if comment else None,
    )


def _handle(author: dict[str, Any], context: Context) -> str:
    name, account = author.get("name"), author.get("id")
    if name and context.profile.is_own_account(SOURCE, str(name)):
        return str(name)
    return str(account or name or "anonymous")
