"""The Meta Graph API, shared by Facebook pages and Instagram professional accounts.

Edges are lists `{"data": [...], "paging": {"cursors": {...}, "next": url}}`, newest first.
Rate limits come as errors in the body (codes 4, 17, 32, 613, 80001…) with the wait in the
`X-Business-Use-Case-Usage` header, so they are read here and waited out by listeners.retry.
Credential: MURMURE_META_PAGE_TOKEN, a Page access token (it also reads the linked Instagram).
"""

import json
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import httpx

from config.secrets import require_secret
from config.sources import FacebookSource, InstagramSource
from listeners import http, retry
from listeners.context import Context, Page, parse_time, read_items
from schemas import RawMention

TOKEN_VARIABLE = "MURMURE_META_PAGE_TOKEN"
RATE_LIMIT_CODES = {4, 17, 32, 613, 80001, 80002, 80004, 80005, 80006, 80008}
PAGE_SIZE = 100
Config = FacebookSource | InstagramSource
Stamp = str | Callable[[Any], str]  # the item's time field, or how to read its time
# (item, id of the node whose edge lists it: the post or media a comment is on) -> mention(s)
ToMention = Callable[[dict[str, Any], str], RawMention | list[RawMention] | None]


def classify(error: BaseException) -> retry.Verdict | None:
    """Graph rate limits arrive as 400/403 with a code; the usage header says how long."""
    if not isinstance(error, http.HttpError):
        return None
    try:
        code = int(json.loads(error.body)["error"]["code"])
    except (ValueError, KeyError, TypeError):
        return None
    if code not in RATE_LIMIT_CODES:
        return None
    return retry.Verdict(True, f"rate limited (code {code})", _regain(error.headers), True)


def _regain(headers: dict[str, str]) -> float | None:
    lowered = {k.lower(): v for k, v in headers.items()}
    try:
        usage = json.loads(lowered["x-business-use-case-usage"])
        minutes = max(
            entry.get("estimated_time_to_regain_access", 0)
            for entries in usage.values()
            for entry in entries
        )
    except (KeyError, ValueError, TypeError, AttributeError):
        return retry.wait_from_headers(headers)
    return float(minutes) * 60


class Graph:
    def __init__(self, config: Config, context: Context, client: httpx.Client) -> None:
        token = require_secret(TOKEN_VARIABLE).get_secret_value()
        self.headers = {"Authorization": f"Bearer {token}"}
        self.base = f"{str(config.api_url).rstrip('/')}/{config.graph_version}"
        self.config, self.context, self.client = config, context, client

    def pages(self, path: str, params: dict[str, Any]) -> Iterator[list[Any]]:
        """The edge's `data` lists, following `paging.next`, at most `max_pages`."""
        url: str | None = f"{self.base}/{path}"
        query: dict[str, Any] | None = params | {"limit": PAGE_SIZE}
        for _ in range(self.config.max_pages):
            if url is None:
                return
            answer = http.get_json(
                self.client,
                url,
                policy=self.config.retry,
                params=query,
                headers=self.headers,
                sleep=self.context.sleep,
                extra_classify=classify,
            )
            data = answer.get("data")
            yield data if isinstance(data, list) else []
            url, query = (answer.get("paging") or {}).get("next"), None

    def since(self, days: int) -> int:
        return int((self.context.now() - timedelta(days=days)).timestamp())


def newer_than(
    graph: Graph,
    query: str,
    path: str,
    params: dict[str, Any],
    mark: str | None,
    to_mention: ToMention,
    stamp: Stamp,
    newest_first: bool,
) -> Iterator[tuple[Page, str | None]]:
    """Pages of an edge down to the mark (a time); yields each page and its newest time.

    Without a documented order (`newest_first` false) every page is read and filtered.
    """
    node = path.split("/", 1)[0]
    for items in graph.pages(path, params):
        fresh = [item for item in items if mark is None or time_of(item, stamp) > mark]
        mentions, malformed = read_items(
            fresh, lambda item: to_mention(item, node), where=f"{query} ({path})"
        )
        stamps = [t for t in (time_of(item, stamp) for item in fresh) if t]
        yield Page(query, mentions, len(fresh), malformed), max(stamps) if stamps else None
        if newest_first and len(fresh) < len(items):
            return


def time_of(item: Any, field: Stamp) -> str:
    if callable(field):
        return field(item)
    try:
        return parse_time(item[field]).isoformat()
    except (KeyError, TypeError, ValueError):
        return ""


def newest(*marks: str | None) -> str | None:
    present = [mark for mark in marks if mark]
    return max(present) if present else None


def edge(
    graph: Graph,
    query: str,
    paths: list[tuple[str, dict[str, Any]]],
    state: dict[str, Any] | None,
    to_mention: ToMention,
    stamp: Stamp,
    newest_first: bool = True,
) -> Iterator[Page]:
    """One checkpoint over one or more edges (e.g. the comments of each recent post).

    The new mark is saved on a last, empty page, once every edge has been read down to the old one.
    """
    mark: str | None = (state or {}).get("mark")
    top = mark
    for path, params in paths:
        pages = newer_than(graph, query, path, params, mark, to_mention, stamp, newest_first)
        for page, page_newest in pages:
            top = newest(top, page_newest)
            yield page
    if top:
        yield Page(query, [], 0, 0, {"mark": top})
