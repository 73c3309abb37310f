"""Murmure's NLP stage: language, relevance, topics, sentiment, complaint, branch, redaction.

The heavy entry point is `nlp.stage.build_stage`. The topics it tags with are configuration
shared with the other stages (`config/taxonomy.yml`, extended by the profile).
"""
