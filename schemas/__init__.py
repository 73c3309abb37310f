"""Contracts between Murmure's stages: every message on the bus is one of these models."""

from schemas.alert import Alert
from schemas.analysis import Analysis, EvidenceSpan, Sentiment, TopicTag
from schemas.mention import Engagement, EnrichedMention, RawMention, mention_id
from schemas.summary import WeeklySummary

__all__ = [
    "Alert",
    "Analysis",
    "Engagement",
    "EnrichedMention",
    "EvidenceSpan",
    "RawMention",
    "Sentiment",
    "TopicTag",
    "WeeklySummary",
    "mention_id",
]
