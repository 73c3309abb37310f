"""The review stage's settings and words (`settings.yml`)."""

from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field

from config.packaged import packaged_settings


class Columns(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    url: str
    created_at: str
    text: str
    shown_relevant: str
    shown_topics: str
    shown_sentiment: str
    shown_complaint: str
    relevant: str
    topic: str
    sentiment: str
    complaint: str
    question: str
    comment: str


class Words(BaseModel):
    """One language's words of the spreadsheet."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sheet_instructions: str
    sheet_review: str
    sheet_lists: str
    answer_yes: str
    answer_no: str
    sentiments: dict[str, str]
    columns: Columns
    instructions: str


class ReviewSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    random_share: float = Field(ge=0, le=1)
    max_topics: int = Field(ge=1, le=10)
    scan_size: int = Field(ge=1)
    words: dict[str, Words]


@lru_cache(maxsize=1)
def review_settings() -> ReviewSettings:
    return packaged_settings(ReviewSettings, "review", "settings.yml")
