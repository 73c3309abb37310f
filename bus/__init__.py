"""The message bus between stages: Kafka topics carrying the contracts of `schemas/`."""
