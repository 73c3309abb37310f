"""Local time of the sample network: when in a day people post, and when each branch is open."""

import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tools.samplegen.schedule import HOUR_WEIGHTS


class Clock:
    def __init__(
        self, rng: random.Random, start: date, tz: ZoneInfo, branch_info: dict[str, Any]
    ) -> None:
        self.rng = rng
        self.start = start
        self.tz = tz
        self.branch_info = branch_info

    def weekday(self, day: int) -> int:
        """ISO weekday (Monday 1) of the stream's `day`."""
        return (self.start + timedelta(days=day)).isoweekday()

    def utc(self, day: int, minute_of_day: float) -> datetime:
        """The UTC moment of a local minute of the stream's `day`."""
        local = datetime.combine(self.start + timedelta(days=day), time(), tzinfo=self.tz)
        local = local.replace(
            hour=int(minute_of_day // 60),
            minute=int(minute_of_day % 60),
            second=int((minute_of_day * 60) % 60),
        )
        return local.astimezone(UTC)

    def minute(self, day: int, window: tuple[float, float] = (0, 24)) -> float:
        """A local minute of `day` within `window` (hours), by the posting rhythm."""
        weekday = self.weekday(day)
        weights = [
            w * (0.35 if weekday == 7 and h < 12 else 1.0) if window[0] <= h < window[1] else 0.0
            for h, w in enumerate(HOUR_WEIGHTS)
        ]
        hour = self.rng.choices(range(24), weights)[0]
        low = max(hour, window[0])
        high = min(hour + 1, window[1])
        return self.rng.uniform(low * 60, high * 60 - 0.02)

    def hours(self, branch: str | None, day: int) -> tuple[float, float] | None:
        """When `branch` is open on `day` (local hours), None if closed or no branch."""
        if branch is None:
            return None
        weekday = self.weekday(day)
        span = self.branch_info[branch]["hours"].get(weekday)
        return (float(span[0]), float(span[1])) if span else None
