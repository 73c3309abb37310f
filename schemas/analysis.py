"""What the NLP stage says about one post, independent of where the post came from."""

from typing import Literal

from pydantic import Field, model_validator

from schemas.base import Contract, PostText

Sentiment = Literal["negative", "neutral", "positive"]
Language = Literal["fr", "en", "other"]


class EvidenceSpan(Contract):
    """Character offsets into the redacted text, so staff see why a tag was given."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str

    @model_validator(mode="after")
    def _ordered(self) -> "EvidenceSpan":
        if self.end <= self.start:
            raise ValueError("evidence span end must be after its start")
        return self


class TopicTag(Contract):
    topic: str = Field(min_length=1)
    evidence: list[EvidenceSpan] = Field(default_factory=list)


class Analysis(Contract):
    """Output of `nlp`; the enrich worker merges it into an `EnrichedMention`."""

    lang: Language
    relevant: bool
    topics: list[TopicTag] = Field(default_factory=list)
    sentiment: Sentiment
    sentiment_score: float = Field(ge=-1.0, le=1.0)
    complaint: bool
    question: bool = Field(
        default=False, description="asks the library something its staff can answer"
    )
    branch: str | None = None
    places: list[str] = Field(default_factory=list)
    text_redacted: PostText
    lemmas: str = ""

    @model_validator(mode="after")
    def _complaint_is_negative(self) -> "Analysis":
        if self.complaint and self.sentiment != "negative":
            raise ValueError("a complaint is always negative")
        return self

    @property
    def topic_ids(self) -> list[str]:
        return [tag.topic for tag in self.topics]
