"""Compacted topics as key → JSON stores: read whole at start, written inside transactions."""

from bus.kafka import read_to_end
from bus.topics import TopicKey, topic


def read_table(key: TopicKey) -> dict[str, str]:
    """The latest committed value of every key (tombstones remove it), without a group."""
    table: dict[str, str] = {}
    for record in read_to_end(topic(key), committed_only=True):
        item = record.key.decode()
        if record.value is None:
            table.pop(item, None)
        else:
            table[item] = record.value.decode()
    return table
