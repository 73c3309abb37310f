"""A staff correction of one mention's tags: what the review stage stores and training reads."""

from pydantic import Field, model_validator

from schemas.analysis import Sentiment
from schemas.base import Contract, UtcDatetime


class Correction(Contract):
    """The tags staff say a mention should have had, with where and when they said it.

    Its id is the mention's: a later review of the same mention replaces the earlier one, and
    importing the same file twice writes the same document.
    """

    mention_id: str = Field(min_length=1)
    text: str = Field(min_length=1, description="the redacted text staff reviewed")
    url: str | None = None
    created_at: UtcDatetime | None = None
    pseudonym: str | None = Field(default=None, description="the author's, for erasure")
    relevant: bool
    topics: list[str] = Field(default_factory=list)
    sentiment: Sentiment = "neutral"
    complaint: bool = False
    question: bool | None = None
    comment: str = ""
    shown: dict[str, object] = Field(
        default_factory=dict, description="the tags the spreadsheet showed, and their version"
    )
    source_file: str = Field(min_length=1)
    source_sha256: str = Field(min_length=64, max_length=64)
    imported_at: UtcDatetime

    @model_validator(mode="after")
    def _consistent(self) -> "Correction":
        if self.complaint and self.sentiment != "negative":
            raise ValueError("a complaint is always negative")
        if not self.relevant and (self.topics or self.complaint):
            raise ValueError("a mention that is not relevant has no topics and no complaint")
        return self

    def labels(self) -> dict[str, object]:
        """The eval-schema labels training and scoring read, and the file they came from."""
        return {
            "id": self.mention_id,
            "file": self.source_file,
            "text": self.text,
            "relevant": self.relevant,
            "topics": list(self.topics),
            "sentiment": self.sentiment,
            "complaint": self.complaint,
            "branch": None,
        }
