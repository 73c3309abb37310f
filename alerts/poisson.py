"""The upper tail of the Poisson law: is this many mentions surprising for this baseline?"""

import math
from functools import lru_cache


def tail(k: int, mean: float) -> float:
    """P(X >= k) for X ~ Poisson(mean), summed from k upwards so tiny tails keep their precision."""
    if k <= 0:
        return 1.0
    if mean <= 0.0:
        return 0.0
    span = int(mean + 12.0 * math.sqrt(mean) + 40.0)
    term = math.exp(k * math.log(mean) - mean - math.lgamma(k + 1))
    total = 0.0
    for i in range(k, max(k, span) + 40):
        total += term
        if i > mean and term < total * 1e-16:
            break
        term *= mean / (i + 1)  # P(X = i + 1) from P(X = i)
    return min(total, 1.0)


@lru_cache(maxsize=4096)  # nearby windows of a dense stream share their baseline
def threshold(mean: float, p_value: float, floor: int, ceiling: int = 100_000) -> int:
    """The smallest count, at least `floor`, whose tail probability is below `p_value`.

    The tail falls as the count grows: steps that double, then halving, find it in a few dozen
    tails instead of one per count (a network-wide daily baseline is in the thousands)."""
    # Below the mean the tail is above one half, never significant: start there.
    low = max(floor, 1, int(mean) if p_value < 0.5 else 0)
    if low >= ceiling or tail(low, mean) < p_value:
        return low
    step = 1  # invariant: tail(low) >= p_value
    high = low + step
    while high < ceiling and tail(high, mean) >= p_value:
        low, step = high, step * 2
        high = low + step
    high = min(high, ceiling)  # invariant: tail(high) < p_value, or high is the ceiling
    while high - low > 1:
        middle = (low + high) // 2
        if tail(middle, mean) >= p_value:
            low = middle
        else:
            high = middle
    return high
