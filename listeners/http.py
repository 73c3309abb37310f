"""The one HTTP GET of the sources that speak plain HTTP (RSS, Google, Meta Graph, YouTube)."""

from collections.abc import Callable, Mapping
from typing import Any

import httpx

from config.sources import RetryConfig
from listeners import retry
from listeners.version import USER_AGENT


class HttpError(Exception):
    """A non-success answer, with what the retry policy needs to read."""

    def __init__(self, response: httpx.Response) -> None:
        self.status = response.status_code
        self.headers = dict(response.headers)
        self.body = response.text[:500]
        super().__init__(f"HTTP {self.status} from {response.request.url.copy_with(query=None)}")


def classify(error: BaseException) -> retry.Verdict | None:
    if isinstance(error, HttpError):
        return retry.status_failure(error.status, error.headers, str(error))
    if isinstance(error, httpx.TransportError):
        return retry.Verdict(True, f"network error: {type(error).__name__}")
    return None


def make_http_client(policy: RetryConfig) -> httpx.Client:
    return httpx.Client(
        timeout=policy.timeout_seconds, headers={"User-Agent": USER_AGENT}, follow_redirects=True
    )


def get(
    client: httpx.Client,
    url: str,
    *,
    policy: RetryConfig,
    params: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    sleep: Callable[[float], None] | None = None,
    extra_classify: retry.Classify | None = None,
    ok: frozenset[int] = frozenset({200}),
) -> httpx.Response:
    """GET with the shared retry policy; statuses in `ok` (e.g. 304) are answers, not errors."""

    def attempt() -> httpx.Response:
        query = dict(params) if params else None  # None keeps the query of a `next` URL
        response = client.get(url, params=query, headers=dict(headers or {}))
        if response.status_code not in ok:
            raise HttpError(response)
        return response

    def classify_all(error: BaseException) -> retry.Verdict | None:
        return (extra_classify and extra_classify(error)) or classify(error)

    return retry.call(
        attempt,
        classify=classify_all,
        policy=policy,
        what=f"GET {httpx.URL(url).copy_with(query=None)}",
        **({"sleep": sleep} if sleep else {}),
    )


def get_json(
    client: httpx.Client,
    url: str,
    *,
    policy: RetryConfig,
    params: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    sleep: Callable[[float], None] | None = None,
    extra_classify: retry.Classify | None = None,
) -> dict[str, Any]:
    response = get(
        client,
        url,
        policy=policy,
        params=params,
        headers=headers,
        sleep=sleep,
        extra_classify=extra_classify,
    )
    try:
        body = response.json()
    except ValueError as error:
        raise retry.SourceUnavailableError(f"{url}: the answer is not JSON") from error
    if not isinstance(body, dict):
        raise retry.SourceUnavailableError(f"{url}: expected a JSON object")
    return body
