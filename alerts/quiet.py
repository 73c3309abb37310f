"""Quiet hours in the library's own time zone: when may a notice raised at a given time go out?"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from config.rules import QuietHours


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def release_time(quiet: QuietHours | None, timezone: str, at: datetime) -> datetime | None:
    """The end of the quiet period `at` falls in (UTC), or None when it may go out at once.

    Periods may cross midnight (22:00 → 07:00); times are wall-clock local times, so a
    daylight-saving change moves them with the library's day.
    """
    if quiet is None:
        return None
    zone = ZoneInfo(timezone)
    local = at.astimezone(zone)
    start, end = _clock(quiet.start), _clock(quiet.end)
    now = local.time()
    if start == end:
        return None
    crosses_midnight = start > end
    inside = (now >= start or now < end) if crosses_midnight else (start <= now < end)
    if not inside:
        return None
    day = local.date() if now < end else local.date() + timedelta(days=1)
    release = datetime.combine(day, end, tzinfo=zone)
    return release.astimezone(at.tzinfo)
