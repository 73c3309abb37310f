"""Where a library listens: one entry per source in the profile, tagged by `type`.

Credentials are never here: each source reads its own environment variables (see the README,
"Listeners and credentials"). Every source has an `api_url`, the official one by default, so a
mirror, a proxy or a local test server can stand in for the network.
"""

from typing import Annotated, ClassVar, Literal

from pydantic import AnyHttpUrl, Field

from config.base import ProfileModel

AccountIds = list[Annotated[str, Field(min_length=1, pattern=r"^[^\s/]+$")]]
# Meta's Graph API version, in every request path; each is served about two years after release.
GraphVersion = Annotated[str, Field(pattern=r"^v\d+\.\d+$", description="e.g. v26.0")]
GRAPH_VERSION = "v26.0"


class RetryConfig(ProfileModel):
    """How a source meets errors and rate limits, for every HTTP call it makes."""

    tries: int = Field(default=5, ge=1, le=20, description="attempts per call before giving up")
    backoff_seconds: float = Field(default=2.0, ge=0, description="first wait; doubles each try")
    max_backoff_seconds: float = Field(default=120.0, ge=0)
    max_wait_seconds: float = Field(
        default=900.0,
        ge=0,
        description="longest rate-limit reset worth waiting for; beyond it the poll stops and "
        "the next one resumes from the checkpoint",
    )
    timeout_seconds: float = Field(default=30.0, gt=0, description="per HTTP request")


OWN_REPLIES = Field(
    default=True,
    description="also read the posts and replies of the profile's own `accounts` on this network: "
    "a reply from one of them is how Murmure knows a patron was answered",
)


class _Source(ProfileModel):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)]
    enabled: bool = True
    poll_seconds: int = Field(default=300, ge=1, le=86_400)
    max_pages: int = Field(
        default=10, ge=1, le=1000, description="pages per query and poll (bounds a first run)"
    )
    retry: RetryConfig = Field(default_factory=RetryConfig)


class XSource(_Source):
    """Recent search polled with since_id; the filtered stream where the access level allows."""

    type: Literal["x"]
    api_url: AnyHttpUrl = AnyHttpUrl("https://api.x.com")
    queries: list[str] = Field(
        default_factory=list, description="X search queries; built from the profile when empty"
    )
    stream: bool = Field(default=False, description="filtered stream (needs a paid access level)")
    own_replies: bool = OWN_REPLIES


class MastodonSource(_Source):
    """Hashtag timelines and searches polled with min_id; hashtags streamed where allowed."""

    type: Literal["mastodon"]
    instance: AnyHttpUrl
    hashtags: list[str] = Field(
        default_factory=list, description="without '#'; the profile's hashtags when empty"
    )
    queries: list[str] = Field(
        default_factory=list, description="full-text searches (need a token on most instances)"
    )
    stream: bool = Field(
        default=False,
        description="stream the hashtags (server-sent events) when listening for good; needs a "
        "user token on Mastodon 4.2 and later; an instance that refuses is polled instead",
    )
    streaming_url: AnyHttpUrl | None = Field(
        default=None,
        description="the instance's streaming server; by default the one it advertises "
        "(/api/v2/instance), else `instance`",
    )
    own_replies: bool = OWN_REPLIES


class BlueskySource(_Source):
    """Post search, which needs an account (an app password) on every Bluesky host."""

    # Environment variables the source cannot work without (`murmure profile check` asks).
    credentials: ClassVar[tuple[str, ...]] = (
        "MURMURE_BLUESKY_HANDLE",
        "MURMURE_BLUESKY_APP_PASSWORD",
    )
    type: Literal["bluesky"]
    api_url: AnyHttpUrl = Field(
        default=AnyHttpUrl("https://bsky.social/xrpc"),
        description="XRPC endpoint; with credentials, the PDS that holds the account",
    )
    queries: list[str] = Field(default_factory=list)
    own_replies: bool = OWN_REPLIES


class RssSource(_Source):
    type: Literal["rss"]
    feeds: list[AnyHttpUrl] = Field(min_length=1)


class RedditSource(_Source):
    type: Literal["reddit"]
    subreddits: list[str] = Field(min_length=1)
    queries: list[str] = Field(default_factory=list)
    api_url: AnyHttpUrl = Field(
        default=AnyHttpUrl("https://oauth.reddit.com"), description="Reddit's OAuth API"
    )
    auth_url: AnyHttpUrl = Field(
        default=AnyHttpUrl("https://www.reddit.com"), description="where app tokens are issued"
    )
    own_replies: bool = OWN_REPLIES


class GoogleReviewsSource(_Source):
    """Reviews of the library's own Google Business Profile listings."""

    type: Literal["google_reviews"]
    locations: list[Annotated[str, Field(pattern=r"^accounts/[^/\s]+/locations/[^/\s]+$")]] = Field(
        min_length=1, description="accounts/{account}/locations/{location}"
    )
    api_url: AnyHttpUrl = AnyHttpUrl("https://mybusiness.googleapis.com/v4")


class FacebookSource(_Source):
    """Posts and comments on the library's own Facebook pages, and posts that tag them."""

    type: Literal["facebook"]
    pages: AccountIds = Field(min_length=1, description="page ids, often one per branch")
    api_url: AnyHttpUrl = AnyHttpUrl("https://graph.facebook.com")
    graph_version: GraphVersion = GRAPH_VERSION
    comment_days: int = Field(default=14, ge=1, le=365, description="posts whose comments we read")


class InstagramSource(_Source):
    """Comments on the library's Instagram professional accounts, and media that tag them."""

    type: Literal["instagram"]
    accounts: AccountIds = Field(min_length=1, description="Instagram professional account ids")
    api_url: AnyHttpUrl = AnyHttpUrl("https://graph.facebook.com")
    graph_version: GraphVersion = GRAPH_VERSION
    comment_days: int = Field(default=14, ge=1, le=365)


class YouTubeSource(_Source):
    type: Literal["youtube"]
    channel_id: str | None = Field(default=None, description="the library's channel")
    queries: list[str] = Field(
        default_factory=list, description="video searches; built from the profile when empty"
    )
    daily_quota: int = Field(
        default=10_000, ge=1, description="quota units per day (the default project quota)"
    )
    api_url: AnyHttpUrl = AnyHttpUrl("https://www.googleapis.com/youtube/v3")


class ReplaySource(_Source):
    type: Literal["replay"]
    path: str = Field(min_length=1)
    speed: float = Field(default=0.0, ge=0.0, description="0 replays as fast as possible")
    batch: int = Field(default=200, ge=1, description="lines per acknowledged send")


SourceConfig = Annotated[
    XSource
    | MastodonSource
    | BlueskySource
    | RssSource
    | RedditSource
    | GoogleReviewsSource
    | FacebookSource
    | InstagramSource
    | YouTubeSource
    | ReplaySource,
    Field(discriminator="type"),
]
