"""Data expiry and erasure: what Murmure keeps, it also deletes, without `_delete_by_query`.

Whole monthly mention indices past the retention go at once; the rest is found by search and
deleted by id in bulk, which every Elasticsearch distribution offers.
"""
