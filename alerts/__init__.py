"""Alert rules on enriched mentions: a pure engine, its Kafka worker, the index and notifiers."""
