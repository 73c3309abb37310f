"""Reading a whole topic in a test: to its end offsets, never until a quiet spell, which a
loaded machine can make look like the end."""

from typing import Any

from bus.kafka import read_to_end as read_records


def read_to_end(topic_name: str) -> list[Any]:
    """Every committed record of `topic_name` up to its current end, partition by partition."""
    return list(read_records(topic_name, committed_only=True, poll_ms=1000))
