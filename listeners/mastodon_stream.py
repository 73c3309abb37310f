"""Mastodon's hashtag streams, as server-sent events: one connection per hashtag.

The wire only: find the streaming server, open the connections (a refusal raises
StreamNotAllowedError), and hand every event, then the drop that ends each connection, to one
queue. Turning events into pages and reconnecting is `listeners.mastodon`'s job.
"""

import logging
import queue
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from httpx_sse import EventSource
from mastodon import (
    Mastodon,
    MastodonError,
    MastodonNetworkError,
    MastodonRatelimitError,
    MastodonServerError,
)

from config.sources import MastodonSource
from listeners import http, retry
from listeners.context import Context

log = logging.getLogger(__name__)
HASHTAG_PATH = "/api/v1/streaming/hashtag"
# What an instance answers when it has no streaming, or not for this token: poll instead.
REFUSED = frozenset({401, 403, 404, 405, 410, 501})
_HTTP_SCHEMES = {"wss": "https", "ws": "http", "https": "https", "http": "http"}


@dataclass(frozen=True)
class Event:
    tag: str
    name: str  # `update` for a new status; `delete`, `status.update`… otherwise
    data: str


@dataclass(frozen=True)
class Dropped:
    tag: str
    reason: str


Message = Event | Dropped


def streaming_base(config: MastodonSource, client: Mastodon, context: Context) -> str:
    """The configured streaming server, else the one the instance advertises, else itself."""
    if config.streaming_url:
        return str(config.streaming_url).rstrip("/")
    instance = str(config.instance).rstrip("/")
    try:
        answer = context.call(
            client.instance_v2,
            classify=_instance_failure,
            policy=config.retry,
            what="Mastodon instance description",
        )
    except retry.SourceUnavailableError as error:
        if isinstance(error.__cause__, MastodonNetworkError | MastodonServerError):
            raise
        return instance  # before Mastodon 4.0, or hidden: the streaming server is the instance
    advertised = ((answer.get("configuration") or {}).get("urls") or {}).get("streaming")
    if not isinstance(advertised, str):
        return instance
    parts = urlsplit(advertised)
    scheme = _HTTP_SCHEMES.get(parts.scheme)
    if not scheme or not parts.netloc:
        log.warning("Mastodon: unreadable streaming URL %r, using the instance", advertised)
        return instance
    return f"{scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def _instance_failure(error: BaseException) -> retry.Verdict | None:
    if isinstance(error, MastodonRatelimitError | MastodonServerError | MastodonNetworkError):
        return retry.Verdict(True, f"{type(error).__name__}: {error}")
    if isinstance(error, MastodonError):  # e.g. not found: an instance older than 4.0
        return retry.Verdict(False, type(error).__name__)
    return None


class Streams:
    """The open connections of one source; `close` ends them, and their readers report drops."""

    def __init__(self) -> None:
        self.messages: queue.Queue[Message] = queue.Queue()
        self._responses: list[httpx.Response] = []

    def open(
        self,
        client: httpx.Client,
        base: str,
        tag: str,
        *,
        token: str | None,
        config: MastodonSource,
        context: Context,
    ) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = context.call(
            lambda: _connect(client, f"{base}{HASHTAG_PATH}", tag, headers),
            classify=http.classify,
            policy=config.retry,
            what=f"Mastodon stream #{tag}",
        )
        self._responses.append(response)
        threading.Thread(
            target=_read, args=(tag, response, self.messages), name=f"mastodon-#{tag}", daemon=True
        ).start()

    def close(self) -> None:
        for response in self._responses:
            try:
                response.close()
            except Exception as error:  # closing under a reading thread may complain; it's gone
                log.debug("closing a Mastodon stream: %s", error)
        self._responses.clear()


def _connect(
    client: httpx.Client, url: str, tag: str, headers: Mapping[str, str]
) -> httpx.Response:
    request = client.build_request(
        "GET",
        url,
        params={"tag": tag},
        headers={**headers, "Accept": "text/event-stream", "Cache-Control": "no-store"},
    )
    response = client.send(request, stream=True)
    status = response.status_code
    kind = response.headers.get("content-type", "").partition(";")[0].strip()
    if status in REFUSED or (status == 200 and kind != "text/event-stream"):
        response.close()
        why = f"HTTP {status}" if status != 200 else f"answered {kind or 'no content type'}"
        raise retry.StreamNotAllowedError(f"Mastodon stream #{tag} refused ({why})")
    if status != 200:
        response.read()
        response.close()
        raise http.HttpError(response)
    return response


def _read(tag: str, response: httpx.Response, messages: "queue.Queue[Message]") -> None:
    """Runs in its own thread until the connection ends, however it ends."""
    reason = "closed by the server"
    try:
        for event in EventSource(response).iter_sse():
            messages.put(Event(tag, event.event, event.data))
    except Exception as error:  # a dropped connection surfaces as many kinds of errors
        reason = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    finally:
        response.close()
    messages.put(Dropped(tag, reason))
