"""The reorderer alone: partitions delivered in chunks weeks apart still reach the engine in
event-time order, and offsets are only committable up to what has reached it."""

from datetime import timedelta

from alerts.reorder import Reorderer, default_reordering
from tests.alerts.streams import T0, fact


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _hours(n: int) -> timedelta:
    return timedelta(hours=n)


def test_mentions_wait_for_every_busy_partition_then_go_in_time_order() -> None:
    reorder = Reorderer(idle_after_s=60, clock=Clock())
    reorder.watch([0, 1])
    for n in range(4):  # partition 0: four hours at once
        reorder.add(0, n, fact(n, T0 + _hours(n)))
    assert reorder.release([0, 1]) == []  # partition 1 has said nothing yet
    reorder.add(1, 0, fact(10, T0 + _hours(1) + timedelta(minutes=30)))
    out = reorder.release([0, 1])
    assert [item.id for item in out] == ["mastodon:0", "mastodon:1", "mastodon:10"]
    assert reorder.committable() == {0: 2, 1: 1}
    rest = reorder.release([])  # nothing busy any more: all goes
    assert [item.id for item in rest] == ["mastodon:2", "mastodon:3"]
    assert reorder.committable() == {0: 4, 1: 1} and len(reorder) == 0


def test_equal_times_go_in_id_order_and_a_record_seen_twice_waits_once() -> None:
    reorder = Reorderer(idle_after_s=60, clock=Clock())
    reorder.add(1, 5, fact(2, T0))
    reorder.add(0, 7, fact(1, T0))
    reorder.add(0, 7, fact(1, T0))  # a retried batch
    reorder.add(0, 8, None)  # an unreadable record: consumed, nothing to wait for
    assert [item.id for item in reorder.release([])] == ["mastodon:1", "mastodon:2"]
    assert reorder.committable() == {0: 9, 1: 6}


def test_a_silent_partition_holds_the_others_back_for_idle_after_at_most() -> None:
    clock = Clock()
    reorder = Reorderer(idle_after_s=60, clock=clock)
    reorder.watch([0, 1])
    clock.now = 500.0  # long quiet: the wait starts with the first waiting mention
    reorder.add(0, 0, fact(0, T0))
    clock.now = 530.0
    reorder.add(0, 1, fact(1, T0 + _hours(1)))
    clock.now = 559.0
    assert not reorder.silent(1)
    assert reorder.release([tp for tp in (0, 1) if not reorder.silent(tp)]) == []
    clock.now = 560.0
    assert reorder.silent(1) and not reorder.silent(0)
    busy = [tp for tp in (0, 1) if not reorder.silent(tp)]
    assert [item.id for item in reorder.release(busy)] == ["mastodon:0", "mastodon:1"]


def test_a_batch_not_committed_puts_its_mentions_back() -> None:
    reorder = Reorderer(idle_after_s=60, clock=Clock())
    reorder.add(0, 0, fact(0, T0))
    reorder.add(0, 1, fact(1, T0 + _hours(1)))
    out = reorder.release([])
    reorder.put_back(out)
    assert reorder.committable() == {0: 0}
    assert [item.id for item in reorder.release([])] == ["mastodon:0", "mastodon:1"]


def test_partitions_taken_away_are_forgotten_uncommitted() -> None:
    reorder = Reorderer(idle_after_s=60, clock=Clock())
    reorder.watch([0, 1])
    reorder.add(0, 3, fact(0, T0))
    reorder.add(1, 9, fact(1, T0))
    reorder.watch([0])
    assert [item.id for item in reorder.release([])] == ["mastodon:0"]
    assert reorder.committable() == {0: 4}


def test_the_tunables_come_from_the_data_file() -> None:
    assert default_reordering().idle_after_s > 0
