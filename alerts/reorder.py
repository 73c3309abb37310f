"""Puts mentions from several partitions back in event-time order before the rule engine.

Each partition of `mentions.enriched` is in time order, but a replay at full speed delivers the
partitions in chunks weeks apart: handed over as they come, the mentions of the last partition
would all be "late" for the engine. So mentions wait here until every partition that may still
deliver older ones has gone past their time: the watermark is the smallest of the newest times
seen on each busy partition, and mentions up to it go out in (created_at, id) order. When no
partition is busy, everything goes out. Which partitions are busy is the worker's call (it asks
Kafka); a partition silent for `idle_after` since a mention started waiting never counts as
busy, so one stuck partition delays alerts by that much at most.

Offsets: a partition may be committed only up to its oldest mention still waiting, so that a
restart reads again exactly what had not reached the engine.
"""

import heapq
import time
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field

from alerts.facts import Facts
from config.packaged import packaged_settings

Partition = Hashable


class Reordering(BaseModel):
    """Tunables of `reorder.yml` (data, not code)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    idle_after_s: float = Field(
        gt=0, description="a partition silent this long no longer holds the others back"
    )


@lru_cache(maxsize=1)
def default_reordering() -> Reordering:
    return packaged_settings(Reordering, "alerts", "reorder.yml")


@dataclass(frozen=True, order=True)
class Pending:
    created_at: datetime
    id: str
    offset: int
    partition: Partition = field(compare=False)
    facts: Facts = field(compare=False)
    arrived: float = field(compare=False)


@dataclass
class Reorderer:
    idle_after_s: float
    clock: Callable[[], float] = time.monotonic
    heap: list[Pending] = field(default_factory=list)
    newest: dict[Partition, datetime] = field(default_factory=dict)
    last_record: dict[Partition, float] = field(default_factory=dict)
    next_offset: dict[Partition, int] = field(default_factory=dict)
    _keys: set[tuple[Partition, int]] = field(default_factory=set)

    def __len__(self) -> int:
        return len(self.heap)

    def watch(self, partitions: Iterable[Partition]) -> None:
        """Follows these (assigned) partitions and forgets the others: what waited on a
        partition taken away is dropped, uncommitted, for its new owner to read."""
        wanted = set(partitions)
        now = self.clock()
        for partition in wanted - set(self.last_record):
            self.last_record[partition] = now
        gone = set(self.last_record) - wanted
        if not gone:
            return
        for mapping in (self.newest, self.last_record, self.next_offset):
            for partition in gone:
                mapping.pop(partition, None)
        self.heap = [item for item in self.heap if item.partition not in gone]
        heapq.heapify(self.heap)
        self._keys = {key for key in self._keys if key[0] not in gone}

    def add(self, partition: Partition, offset: int, facts: Facts | None) -> None:
        """`facts` None: a record that could not be read (dead-lettered), offset consumed."""
        now = self.clock()
        self.last_record[partition] = now
        self.next_offset[partition] = max(self.next_offset.get(partition, 0), offset + 1)
        if facts is None or (partition, offset) in self._keys:
            return  # bad, or the same record again (a retried batch)
        self._keys.add((partition, offset))
        heapq.heappush(
            self.heap, Pending(facts.created_at, facts.id, offset, partition, facts, now)
        )
        if partition not in self.newest or facts.created_at > self.newest[partition]:
            self.newest[partition] = facts.created_at

    def silent(self, partition: Partition) -> bool:
        """No record from it for `idle_after_s` since the oldest waiting mention arrived."""
        if not self.heap:
            return False
        waiting_since = min(item.arrived for item in self.heap)
        since = max(self.last_record.get(partition, waiting_since), waiting_since)
        return self.clock() - since >= self.idle_after_s

    def watermark(self, busy: Iterable[Partition]) -> datetime | None:
        """None: a busy partition has not said anything yet, so nothing can go."""
        times = [self.newest.get(partition) for partition in busy]
        if any(at is None for at in times):
            return None
        return min(at for at in times if at is not None)

    def release(self, busy: Iterable[Partition]) -> list[Pending]:
        """The waiting mentions no busy partition can precede, in (created_at, id) order."""
        busy = list(busy)
        if not busy:
            out = sorted(self.heap)
            self.heap, self._keys = [], set()
            return out
        limit = self.watermark(busy)
        out = []
        while self.heap and limit is not None and self.heap[0].created_at <= limit:
            item = heapq.heappop(self.heap)
            self._keys.discard((item.partition, item.offset))
            out.append(item)
        return out

    def put_back(self, items: Iterable[Pending]) -> None:
        """Mentions released to a batch that was not committed wait again."""
        for item in items:
            if (item.partition, item.offset) not in self._keys:
                self._keys.add((item.partition, item.offset))
                heapq.heappush(self.heap, item)

    def committable(self) -> dict[Partition, int]:
        """Per partition, the offset to commit: its oldest waiting record, else past the last."""
        oldest: dict[Partition, int] = {}
        for item in self.heap:
            oldest[item.partition] = min(oldest.get(item.partition, item.offset), item.offset)
        return {
            partition: oldest.get(partition, end) for partition, end in self.next_offset.items()
        }
