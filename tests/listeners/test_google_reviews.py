"""Google Business Profile reviews: pageToken paging, newest update first, resumed by time."""

import json
from typing import Any

import pytest

from listeners import google_reviews
from listeners.checkpoints import MemoryCheckpoints
from listeners.pseudonym import pseudonymise
from tests.listeners.conftest import KEY, drain, make_context, mentions, source
from tests.listeners.fakeapi import FakeApi, json_reply

LOCATION = "accounts/111/locations/222"
PATH = f"/v4/{LOCATION}/reviews"


@pytest.fixture(autouse=True)
def token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(google_reviews.TOKEN_VARIABLE, "ya29.test")


def review(
    review_id: str, updated: str, comment: str | None = "Wi-Fi en panne", **extra: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": f"{LOCATION}/reviews/{review_id}",
        "reviewId": review_id,
        "reviewer": {"displayName": "Lou K.", "profilePhotoUrl": "https://example.org/p.png"},
        "starRating": "TWO",
        "createTime": "2026-11-01T10:00:00Z",
        "updateTime": updated,
    }
    if comment:
        body["comment"] = comment
    return body | extra


def test_pages_ratings_without_text_malformed_reviews_and_resume(api: FakeApi) -> None:
    api.route(
        "GET",
        PATH,
        json_reply(
            {
                "reviews": [
                    review("r3", "2026-11-10T10:00:00Z"),
                    review("r2", "2026-11-09T10:00:00Z", comment=None),
                ],
                "averageRating": 3.5,
                "totalReviewCount": 4,
                "nextPageToken": "n2",
            }
        ),
        json_reply(
            {
                "reviews": [
                    review("r1", "2026-11-08T10:00:00Z", reviewer={"isAnonymous": True}),
                    {
                        "reviewId": "r0",
                        "comment": "pas de date",
                        "updateTime": "2026-11-07T10:00:00Z",
                    },
                ]
            }
        ),
        json_reply(
            {
                "reviews": [
                    review("r4", "2026-11-11T10:00:00Z"),
                    review("r3", "2026-11-10T10:00:00Z"),
                ],
                "nextPageToken": "old",
            }
        ),
    )
    config = source(
        {"id": "gbp", "type": "google_reviews", "locations": [LOCATION], "api_url": f"{api.url}/v4"}
    )
    store, context = MemoryCheckpoints(), make_context()
    pages = drain(config, context, store)
    found = mentions(pages)
    assert [m.id for m in found] == ["google_reviews:r3", "google_reviews:r1"]
    assert sum(p.malformed for p in pages) == 1
    assert found[0].author.pseudonym == pseudonymise(KEY, "google_reviews", "Lou K.")
    assert found[0].query == LOCATION
    calls = api.calls(PATH)
    assert calls[0].headers["authorization"] == "Bearer ya29.test"
    assert calls[0].query["orderBy"] == "updateTime desc" and calls[1].query["pageToken"] == "n2"

    again = mentions(drain(config, context, store))
    assert [m.id for m in again] == ["google_reviews:r4"]  # stopped at r3: no next page asked
    assert len(api.calls(PATH)) == 3


def test_a_500_then_a_429_are_retried(api: FakeApi) -> None:
    api.route(
        "GET",
        PATH,
        json_reply({"error": {"code": 500, "status": "INTERNAL"}}, 500),
        json_reply(
            {"error": {"code": 429, "status": "RESOURCE_EXHAUSTED"}}, 429, **{"Retry-After": "1"}
        ),
        json_reply({"reviews": [review("r9", "2026-11-12T10:00:00Z")]}),
    )
    config = source(
        {"id": "gbp", "type": "google_reviews", "locations": [LOCATION], "api_url": f"{api.url}/v4"}
    )
    assert len(mentions(drain(config, make_context(), MemoryCheckpoints()))) == 1
    calls = api.calls(PATH)
    assert len(calls) == 3 and calls[2].at - calls[1].at >= 0.9


def test_the_star_rating_travels_on_the_mention(api: FakeApi) -> None:
    stars = ["ONE", "FIVE", "STAR_RATING_UNSPECIFIED"]
    api.route(
        "GET",
        PATH,
        json_reply(
            {
                "reviews": [
                    review(f"s{n}", f"2026-11-1{n}T10:00:00Z", comment="Bof", starRating=star)
                    for n, star in enumerate(stars)
                ],
                "averageRating": 3,
                "totalReviewCount": 3,
            }
        ),
    )
    config = source(
        {"id": "gbp", "type": "google_reviews", "locations": [LOCATION], "api_url": f"{api.url}/v4"}
    )
    found = mentions(drain(config, make_context(), MemoryCheckpoints()))
    assert [m.rating for m in found] == [1, 5, None]
    assert json.loads(found[0].model_dump_json())["rating"] == 1
