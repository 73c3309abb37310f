"""What a stage is, as the worker loop (`bus.worker`) runs it: its steps, the batch they work
on, and the policy each step follows when it fails otherwise than by a known transient error."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Generic, Protocol, TypeVar

from kafka.structs import TopicPartition

from bus.records import Failure, describe_error

Item = TypeVar("Item")  # a record as the stage validated it
Out = TypeVar("Out")  # what the stage's process step hands to its produce step
Offsets = dict[TopicPartition, int]


class Policy(Enum):
    """What a step does with an exception that is not a known transient one."""

    DEAD_LETTER = "dead-letter"  # the batch's records (in validate: the record) go to the DLQ
    RETRY = "retry"  # as a transient error: back off, redo the batch, commit nothing meanwhile
    STOP = "stop"  # end the loop, commit nothing, raise the error (a restart redoes the batch)


@dataclass(frozen=True)
class Policies:
    """One policy per step. Defaults: nothing was taken yet when a poll fails; one bad record
    fails alone; a batch the stage cannot process is set aside for `murmure dlq replay`; an
    output that could not be written is written again; a commit that fails otherwise than Kafka
    does is a fault no retry cures, and stopping leaves the batch to be redone."""

    poll: Policy = Policy.RETRY
    validate: Policy = Policy.DEAD_LETTER
    process: Policy = Policy.DEAD_LETTER
    produce: Policy = Policy.RETRY
    commit: Policy = Policy.STOP

    def __post_init__(self) -> None:
        if Policy.DEAD_LETTER in (self.poll, self.commit):
            raise ValueError("poll and commit have no records of their own to dead-letter")
        if self.validate is Policy.RETRY:
            raise ValueError("a record that fails validation fails it again: not retried")


DEFAULT_POLICIES = Policies()


@dataclass
class Batch(Generic[Item]):
    """The records of one poll as the loop validated them. A stage may take more while it works
    (`more`): they are then part of the batch, retried, dead-lettered and committed with it."""

    validate: Callable[[Any], Item]
    poll: Callable[[int], list[Any]]
    policy: Policy = Policy.DEAD_LETTER
    records: list[Any] = field(default_factory=list)
    items: list[tuple[Any, Item]] = field(default_factory=list)  # the valid ones, with their record
    failures: list[Failure] = field(default_factory=list)  # the invalid ones
    offsets: Offsets | None = None  # set by a stage that commits short of what it received

    def add(self, records: Sequence[Any]) -> list[tuple[Any, Item]]:
        """Validates `records` into the batch; returns the valid ones."""
        valid = []
        for record in records:
            self.records.append(record)
            try:
                valid.append((record, self.validate(record)))
            except Exception as error:  # one record's error is its own, unless told to stop
                if self.policy is Policy.STOP:
                    raise
                self.failures.append(Failure(record, describe_error(error)))
        self.items += valid
        return valid

    def more(self, limit: int) -> list[tuple[Any, Item]]:
        """Up to `limit` records already fetched, without waiting, validated into the batch."""
        return self.add(self.poll(limit))


class StageHandler(Protocol[Item, Out]):
    """A stage, as the loop runs it. `process` may return None: nothing to write or commit now
    (the stage holds its records back); `produce` returns the records its output refused."""

    name: str
    holds_back: bool  # also processes empty polls, so that what it holds can go out
    policies: Policies  # what each step does with an error that is not a known transient one

    def validate(self, record: Any) -> Item: ...

    def process(self, batch: Batch[Item]) -> Out | None: ...

    def produce(self, output: Out) -> list[Failure]: ...

    def settle(self, output: Out, committed: bool) -> None:
        """After the commit, or after a failed attempt (to undo what `process` changed)."""
