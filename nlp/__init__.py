"""Murmure's NLP stage: language, relevance, topics, sentiment, complaint, branch, redaction.

Kept import-light on purpose: the profile validator imports `nlp.taxonomy` and must not pay for
spaCy. The heavy entry point is `nlp.stage.build_stage`.
"""
