"""The upper tail of the Poisson law: is this many mentions surprising for this baseline?"""

import math


def tail(k: int, mean: float) -> float:
    """P(X >= k) for X ~ Poisson(mean), summed from k upwards so tiny tails keep their precision."""
    if k <= 0:
        return 1.0
    if mean <= 0.0:
        return 0.0
    log_mean = math.log(mean)
    span = int(mean + 12.0 * math.sqrt(mean) + 40.0)
    total = 0.0
    for i in range(k, max(k, span) + 40):
        term = math.exp(i * log_mean - mean - math.lgamma(i + 1))
        total += term
        if i > mean and term < total * 1e-16:
            break
    return min(total, 1.0)


def threshold(mean: float, p_value: float, floor: int, ceiling: int = 100_000) -> int:
    """The smallest count, at least `floor`, whose tail probability is below `p_value`."""
    # Below the mean the tail is above one half, never significant: start there.
    count = max(floor, 1, int(mean) if p_value < 0.5 else 0)
    while count < ceiling and tail(count, mean) >= p_value:
        count += 1
    return count
