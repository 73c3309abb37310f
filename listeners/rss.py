"""RSS and Atom feeds (Google Alerts, local press, blogs) with feedparser, fetched politely.

Each feed is asked with its last ETag and Last-Modified, so an unchanged feed costs a 304.
Queries: the feed URLs themselves. The checkpoint also keeps short hashes of the items already
sent, since a changed feed repeats its older items.
A link through a redirect (Google Alerts: `https://www.google.com/url?…&url=…`) is stored as the
article's own URL. An item without an author is attributed to its article's site, not to the
feed (a Google Alert would give all its items one author). Without a language in the item or the
feed, the text's language is detected.
No credential: feeds are public.
"""

import calendar
import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlparse

import feedparser  # type: ignore[import-untyped]
import httpx

from config.sources import RssSource, SourceConfig
from listeners import http, retry
from listeners.context import Context, Lookup, Page, read_items
from listeners.text import html_to_text
from nlp.language import detect_language
from schemas import RawMention

SOURCE = "rss"
_MAX_ID = 256


def poll(config: SourceConfig, context: Context, checkpoint: Lookup) -> Iterator[Page]:
    assert isinstance(config, RssSource)
    with http.make_http_client(config.retry) as client:
        for feed in config.feeds:
            yield read_feed(str(feed), client, config, context, checkpoint(str(feed)) or {})


def read_feed(
    url: str, client: httpx.Client, config: RssSource, context: Context, state: dict[str, Any]
) -> Page:
    headers = {}
    if state.get("etag"):
        headers["If-None-Match"] = state["etag"]
    if state.get("modified"):
        headers["If-Modified-Since"] = state["modified"]
    response = http.get(
        client,
        url,
        policy=config.retry,
        headers=headers,
        sleep=context.sleep,
        ok=frozenset({200, 304}),
    )
    if response.status_code == 304:
        return Page(url, [], 0)
    parsed = feedparser.parse(response.content, response_headers=dict(response.headers))
    if parsed.bozo and not parsed.entries:
        raise retry.SourceUnavailableError(f"{url}: not a feed ({parsed.bozo_exception})")
    seen = set(state.get("seen", []))
    entries = [e for e in parsed.entries if _digest(e) not in seen]
    host = urlparse(url).hostname or url
    mentions, malformed = read_items(
        entries,
        lambda entry: to_mention(entry, parsed.feed, host, url, context),
        where=f"feed {url}",
    )
    new_state = {
        "etag": response.headers.get("etag"),
        "modified": response.headers.get("last-modified"),
        "seen": sorted({_digest(e) for e in parsed.entries}),  # what the feed holds now
    }
    return Page(url, mentions, len(entries), malformed, new_state)


def _digest(entry: Any) -> str:
    key = entry.get("id") or entry.get("link") or entry.get("title") or ""
    return hashlib.sha256(str(key).encode()).hexdigest()[:16]


def article_url(link: str | None) -> str | None:
    """The article behind a redirecting link; the link itself otherwise; None for a link that is
    not a web link (the contract refuses it, and the post is worth keeping without it)."""
    if not link:
        return None
    parts = urlparse(link)
    if parts.scheme not in ("http", "https"):
        return None
    # Google's redirector, on any of its domains: `/url?url=…` (Alerts) or `/url?q=…`.
    if _site(link).startswith("google.") and parts.path == "/url":
        query = parse_qs(parts.query)
        target = (query.get("url") or query.get("q") or [""])[0]
        if urlparse(target).scheme in ("http", "https"):
            return target
    return link


def _site(url: str | None) -> str:
    return (urlparse(url).hostname or "").removeprefix("www.") if url else ""


def to_mention(entry: Any, feed: Any, host: str, url: str, context: Context) -> RawMention:
    link = article_url(entry.get("link"))
    native = entry.get("id") or link
    if not native:
        raise KeyError("id or link")
    native = "".join(str(native).split())
    if len(native) > _MAX_ID:
        native = hashlib.sha256(native.encode()).hexdigest()
    title = html_to_text(entry.get("title", ""))
    summary = html_to_text(entry.get("summary", ""))
    text = "\n".join(part for part in (title, summary) if part)
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    created = datetime.fromtimestamp(calendar.timegm(stamp), UTC) if stamp else context.now()
    lang = entry.get("language") or feed.get("language") or detect_language(text)
    return context.mention(
        source=SOURCE,
        native_id=native,
        handle=entry.get("author") or _site(link) or feed.get("title") or host,
        text=text,
        created_at=created,
        url=link,
        lang=None if lang == "other" else lang,
        query=url,
    )
