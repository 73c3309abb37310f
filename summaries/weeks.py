"""ISO weeks in the library's time zone: the fixed windows every summary is computed on."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEK_FORMAT = "%G-W%V"


@dataclass(frozen=True, order=True)
class Week:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> "Week":
        """`2026-W47`; anything else is refused with the expected shape."""
        try:
            monday = datetime.strptime(f"{text.strip()}-1", "%G-W%V-%u").date()
        except ValueError:
            raise ValueError(f"not an ISO week: {text!r} (expected e.g. 2026-W47)") from None
        week = cls.of(monday)
        if str(week) != text.strip():
            raise ValueError(f"not an ISO week: {text!r} (expected e.g. 2026-W47)")
        return week

    @classmethod
    def of(cls, day: date) -> "Week":
        year, number, _ = day.isocalendar()
        return cls(year, number)

    @classmethod
    def containing(cls, moment: datetime, timezone: str) -> "Week":
        return cls.of(moment.astimezone(ZoneInfo(timezone)).date())

    def __str__(self) -> str:
        return f"{self.year}-W{self.number:02d}"

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.number, 1)

    def shift(self, weeks: int) -> "Week":
        return Week.of(self.monday + timedelta(weeks=weeks))

    def window(self, timezone: str) -> tuple[datetime, datetime]:
        """Monday 00:00 to next Monday 00:00 local time, in UTC (a DST week lasts 167 or 169 h)."""
        zone = ZoneInfo(timezone)
        start = datetime.combine(self.monday, time(), tzinfo=zone)
        end = datetime.combine(self.monday + timedelta(weeks=1), time(), tzinfo=zone)
        return start.astimezone(UTC), end.astimezone(UTC)

    def previous(self, count: int) -> list["Week"]:
        """The `count` weeks before this one, oldest first."""
        return [self.shift(-offset) for offset in range(count, 0, -1)]
