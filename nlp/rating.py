"""A review's star rating, read with its words: a 1-star « Nul. » is a negative review.

Only reviews of the library's own listings carry a rating (Google reviews), so a rated mention
is about the library whatever its words. When the words are few, the lexicon has little to go
on and the stars say how the patron feels: 1 or 2 stars make the review negative, 4 or 5
positive (unless the words report a problem). A longer text is left to the text's analysis.
"""

from schemas import Analysis

SHORT_REVIEW_WORDS = 12  # up to this many words, the stars decide the tone
NEGATIVE_STARS = 2  # at most
POSITIVE_STARS = 4  # at least
STARS_SCORE = 0.5  # the least strong score the stars give


def with_rating(analysis: Analysis, rating: int | None) -> Analysis:
    """The analysis of a rated review's text, its tone completed by the stars."""
    if rating is None:
        return analysis
    changes: dict[str, object] = {"relevant": True}
    if len(analysis.text_redacted.split()) <= SHORT_REVIEW_WORDS:
        if rating <= NEGATIVE_STARS:
            changes |= {
                "sentiment": "negative",
                "sentiment_score": min(analysis.sentiment_score, -STARS_SCORE),
            }
        elif rating >= POSITIVE_STARS and not analysis.complaint:
            changes |= {
                "sentiment": "positive",
                "sentiment_score": max(analysis.sentiment_score, STARS_SCORE),
            }
    return Analysis.model_validate(analysis.model_dump() | changes)
