"""Where a library listens: one entry per source in the profile, tagged by `type`.

Credentials are never here: each source reads its own environment variables.
"""

from typing import Annotated, Literal

from pydantic import AnyHttpUrl, Field

from config.base import ProfileModel


class _Source(ProfileModel):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)]
    enabled: bool = True
    poll_seconds: int = Field(default=300, ge=10, le=86_400)


class XSource(_Source):
    type: Literal["x"]
    queries: list[str] = Field(default_factory=list)
    stream: bool = False


class MastodonSource(_Source):
    type: Literal["mastodon"]
    instance: AnyHttpUrl
    hashtags: list[str] = Field(default_factory=list)
    queries: list[str] = Field(default_factory=list)


class BlueskySource(_Source):
    type: Literal["bluesky"]
    queries: list[str] = Field(default_factory=list)


class RssSource(_Source):
    type: Literal["rss"]
    feeds: list[AnyHttpUrl] = Field(min_length=1)


class RedditSource(_Source):
    type: Literal["reddit"]
    subreddits: list[str] = Field(min_length=1)
    queries: list[str] = Field(default_factory=list)


class ReplaySource(_Source):
    type: Literal["replay"]
    path: str = Field(min_length=1)
    speed: float = Field(default=0.0, ge=0.0, description="0 replays as fast as possible")


SourceConfig = Annotated[
    XSource | MastodonSource | BlueskySource | RssSource | RedditSource | ReplaySource,
    Field(discriminator="type"),
]
