"""Indexing stage: enriched mentions into Elasticsearch, where staff search them in Kibana."""
