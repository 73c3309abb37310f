"""The review spreadsheet's layout, shared by the export and the import: its sheets, its columns
in order, and the words of each cell value in the profile's language."""

from __future__ import annotations

from dataclasses import dataclass

from config.profile import Profile
from review.settings import Words, review_settings

SHOWN = ("id", "url", "created_at", "text", "shown_relevant", "shown_topics", "shown_sentiment")
FILLED = ("relevant", "sentiment", "complaint", "question", "comment")


@dataclass(frozen=True)
class Layout:
    """Column keys in sheet order, their headers, and the values staff may choose."""

    language: str
    words: Words
    topic_labels: dict[str, str]  # topic id -> label shown in the drop-down

    @property
    def keys(self) -> list[str]:
        topics = [f"topic{n}" for n in range(1, review_settings().max_topics + 1)]
        return [*SHOWN, "shown_complaint", "relevant", *topics, *FILLED[1:]]

    def header(self, key: str) -> str:
        if key.startswith("topic"):
            return self.words.columns.topic.format(n=key.removeprefix("topic"))
        header: str = getattr(self.words.columns, key)
        return header

    @property
    def headers(self) -> list[str]:
        return [self.header(key) for key in self.keys]

    def is_filled(self, key: str) -> bool:
        return key in FILLED or key.startswith("topic")

    def yes_no(self, value: bool | None) -> str:
        if value is None:
            return ""
        return self.words.answer_yes if value else self.words.answer_no

    def sentiment(self, value: str) -> str:
        return self.words.sentiments.get(value, value)

    def topics(self, ids: list[str]) -> str:
        return ", ".join(self.topic_labels.get(t, t) for t in ids)


def layout_for(profile: Profile, language: str | None = None) -> Layout:
    from summaries.messages import topic_labels

    language = language or profile.library.languages[0]
    words = review_settings().words[language]
    return Layout(language=language, words=words, topic_labels=topic_labels(profile, language))


def layout_of_sheets(profile: Profile, sheet_names: list[str]) -> Layout | None:
    """The layout whose review sheet the workbook has (a file keeps the language it was made in)."""
    for language, words in review_settings().words.items():
        if words.sheet_review in sheet_names:
            return layout_for(profile, language)
    return None
