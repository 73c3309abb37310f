"""Mappings chosen for how staff search: exact filters on tags, full text on the redacted post."""

from typing import Any

KEYWORD = {"type": "keyword"}
DATE = {"type": "date"}


def mention_mappings(text_analyzer: str) -> dict[str, Any]:
    return {
        "dynamic": "strict",
        "properties": {
            "id": KEYWORD,
            "schema_version": {"type": "short"},
            "source": KEYWORD,
            "native_id": KEYWORD,
            "url": {"type": "keyword", "index": False},
            "author": {"properties": {"pseudonym": KEYWORD, "institution": {"type": "boolean"}}},
            "created_at": DATE,
            "fetched_at": DATE,
            "processed_at": DATE,
            "indexed_at": DATE,
            "engagement": {
                "properties": {
                    "likes": {"type": "integer"},
                    "shares": {"type": "integer"},
                    "replies": {"type": "integer"},
                    "total": {"type": "integer"},
                }
            },
            "lang_hint": KEYWORD,
            "query": KEYWORD,
            "rating": {"type": "byte"},  # 1 to 5 stars, on reviews
            "lang": KEYWORD,
            "relevant": {"type": "boolean"},
            "topics": KEYWORD,
            "evidence": {
                "type": "object",
                "enabled": False,  # shown to staff, never searched
            },
            "sentiment": KEYWORD,
            "sentiment_score": {"type": "float"},
            "complaint": {"type": "boolean"},
            "question": {"type": "boolean"},
            # Threads, by source-native ids; the answer is the first reply by a library account.
            "in_reply_to": KEYWORD,
            "thread": KEYWORD,
            "answered_at": DATE,
            "answered_by": KEYWORD,
            "answer_delay_s": {"type": "long"},
            "branch": KEYWORD,
            "places": KEYWORD,
            "text": {"type": "text", "analyzer": text_analyzer},
            # fielddata: the staff dashboard's top terms count lemmas; cheap at library volumes.
            "lemmas": {"type": "text", "analyzer": "standard", "fielddata": True},
            # The distinct words of `lemmas`, with doc values: the summary's emerging terms are
            # counted by aggregations on it, off the heap, at any corpus size.
            "lemma_terms": KEYWORD,
            "pipeline_version": KEYWORD,
        },
    }
