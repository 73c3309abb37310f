"""Google Business Profile: reviews of the library's own listings, newest update first, polled.

The library owns its listings, so it reads them with the Business Profile API
(`accounts/{a}/locations/{l}/reviews`, paged with `pageToken`). Queries: the configured
locations. The checkpoint is the newest `updateTime`: an edited review comes back as an update of
the same mention. The star rating travels on the mention (`rating`, 1 to 5). Ratings without a
comment carry no text and are skipped. The owner's reply (`reviewReply`) is a mention of its own,
replying to the review, by the profile's first `google_reviews` account (none listed: not kept).
Credential: MURMURE_GBP_TOKEN, an OAuth access token with the `business.manage` scope.
"""

from collections.abc import Iterator
from typing import Any

from config.secrets import require_secret
from config.sources import GoogleReviewsSource, SourceConfig
from listeners import http, queries
from listeners.context import Context, Lookup, Page, dig, parse_time
from listeners.sweep import Batch, down_to_mark, sweep
from schemas import RawMention

SOURCE = "google_reviews"
TOKEN_VARIABLE = "MURMURE_GBP_TOKEN"
PAGE_SIZE = 50  # the API's maximum
REPLY_SUFFIX = "/reply"  # the owner's reply: one per review, so the review's id names it
STARS = {"ONE": 1, "TWO": 2, "THREE": 3, "FOUR": 4, "FIVE": 5}  # STAR_RATING_UNSPECIFIED: none


def poll(config: SourceConfig, context: Context, checkpoint: Lookup) -> Iterator[Page]:
    assert isinstance(config, GoogleReviewsSource)
    headers = {"Authorization": f"Bearer {require_secret(TOKEN_VARIABLE).get_secret_value()}"}
    base = str(config.api_url).rstrip("/")
    with http.make_http_client(config.retry) as client:
        for location in config.locations:

            def fetch(mark: str | None, token: str | None, location: str = location) -> Batch:
                params = {"pageSize": PAGE_SIZE, "orderBy": "updateTime desc"}
                answer = http.get_json(
                    client,
                    f"{base}/{location}/reviews",
                    policy=config.retry,
                    params=params | ({"pageToken": token} if token else {}),
                    headers=headers,
                    sleep=context.sleep,
                )
                return down_to_mark(
                    answer.get("reviews") or [],
                    mark,
                    key=_updated,
                    make=lambda r: to_mention(r, location, context),
                    where=location,
                    next_token=answer.get("nextPageToken"),
                )

            yield from sweep(
                query=location, state=checkpoint(location), fetch=fetch, max_pages=config.max_pages
            )


def _updated(review: Any) -> str:
    """The newer of the review's and its reply's times."""
    try:
        times = [review.get("updateTime") or review["createTime"]]
        times.append((review.get("reviewReply") or {}).get("updateTime"))
        return max(parse_time(t).isoformat() for t in times if t)
    except (KeyError, TypeError, ValueError, AttributeError):
        return ""


def to_mention(review: dict[str, Any], location: str, context: Context) -> list[RawMention]:
    """The review, then the owner's reply, which the API returns inside it (`reviewReply`)."""
    found = []
    review_id = str(dig(review, "reviewId"))
    comment = review.get("comment")
    if comment:
        reviewer = review.get("reviewer") or {}
        anonymous = reviewer.get("isAnonymous") or not reviewer.get("displayName")
        found.append(
            context.mention(
                source=SOURCE,
                native_id=review_id,
                handle="anonymous" if anonymous else str(reviewer["displayName"]),
                text=str(comment),
                created_at=dig(review, "createTime"),
                rating=STARS.get(str(review.get("starRating"))),
                query=location,
            )
        )
    reply = review.get("reviewReply") or {}
    owners = queries.own_handles(context.profile, SOURCE)
    if reply.get("comment") and owners:
        found.append(
            context.mention(
                source=SOURCE,
                native_id=f"{review_id}{REPLY_SUFFIX}",
                handle=owners[0],
                text=str(reply["comment"]),
                created_at=dig(reply, "updateTime"),
                query=location,
                in_reply_to=review_id,
                thread=review_id,
            )
        )
    return found
