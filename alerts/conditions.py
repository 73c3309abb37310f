"""Evaluating a rule's condition on the event times of one group, at one instant (event time)."""

import bisect
from dataclasses import dataclass
from datetime import datetime, timedelta

from alerts.poisson import tail, threshold
from config.rules import Condition, CountCondition, SpikeCondition, parse_duration


@dataclass(frozen=True)
class Evaluation:
    holds: bool
    count: int
    window_start: datetime
    window_end: datetime
    holds_until: datetime | None = None  # when it stops holding if nothing else arrives
    baseline: float | None = None
    p_value: float | None = None


def window_of(condition: Condition) -> timedelta:
    return timedelta(0) if condition.type == "each" else parse_duration(condition.window)


def horizon(condition: Condition) -> timedelta:
    """How far back a condition ever looks: older events can be forgotten."""
    if isinstance(condition, SpikeCondition):
        return window_of(condition) * (condition.baseline_windows + 1)
    return window_of(condition)


def _count(times: list[datetime], start: datetime, end: datetime) -> int:
    """Times in the half-open interval (start, end]; `times` is sorted."""
    return bisect.bisect_right(times, end) - bisect.bisect_right(times, start)


def _until(times: list[datetime], at: datetime, needed: int, window: timedelta) -> datetime | None:
    """When the window ending at `at` stops holding `needed` times, if it holds them now."""
    end = bisect.bisect_right(times, at)
    return times[end - needed] + window if _count(times, at - window, at) >= needed else None


def evaluate(
    condition: Condition, times: list[datetime], at: datetime, *, history_start: datetime
) -> Evaluation:
    """`history_start` is when the engine started seeing mentions: a spike's baseline only
    counts windows it has fully seen, so a fresh start does not read as a quiet past."""
    if condition.type == "each":
        present = at in times
        return Evaluation(present, int(present), at, at, at if present else None)
    window = window_of(condition)
    current = _count(times, at - window, at)
    if isinstance(condition, CountCondition):
        return Evaluation(
            holds=current >= condition.min_count,
            count=current,
            window_start=at - window,
            window_end=at,
            holds_until=_until(times, at, condition.min_count, window),
        )
    assert isinstance(condition, SpikeCondition)
    seen = [
        _count(times, at - (k + 1) * window, at - k * window)
        for k in range(1, condition.baseline_windows + 1)
        if at - (k + 1) * window >= history_start
    ]
    if not seen:
        return Evaluation(False, current, at - window, at)
    # One pseudo-mention over the baseline: an empty past is "rare", not "impossible".
    mean = (sum(seen) + 1) / len(seen)
    needed = threshold(mean, condition.p_value, condition.min_count)
    return Evaluation(
        holds=current >= needed,
        count=current,
        window_start=at - window,
        window_end=at,
        holds_until=_until(times, at, needed, window),
        baseline=mean,
        p_value=tail(current, mean),
    )
