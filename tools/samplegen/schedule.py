"""When and how much: the calendar of the sample stream, its volumes, moods and planted incidents.

Changing a number here changes the shipped stream: rerun the generator and update the incident
times in samples/README.md and the module docstring of `tools.samplegen`.
"""

from dataclasses import dataclass
from datetime import date, time, timedelta

DEFAULT_SEED = 2026
DEFAULT_START = date(2026, 9, 28)
DEFAULT_WEEKS = 8

CAPPED_TOPICS = ("wifi", "temperature", "power")  # the incident topics: kept rare elsewhere
CAPPED_GAP = timedelta(hours=3)
SOURCES = ("x", "mastodon", "bluesky", "reddit")  # patrons; rss carries press and library news
SOURCE_WEIGHTS = (40, 24, 24, 12)
MOODS = ("neg", "neu", "pos")
# Share of negative posts per topic; the rest splits between questions and praise.
NEG_SHARE = {
    "wifi": 0.5,
    "temperature": 0.55,
    "power": 0.45,
    "noise": 0.55,
    "seating": 0.45,
    "hours": 0.35,
    "staff": 0.15,
    "printing": 0.55,
    "cleanliness": 0.6,
    "collections": 0.2,
    "loans": 0.3,
    "digital": 0.35,
    "events": 0.1,
    "accessibility": 0.4,
    "facilities": 0.45,
}
# How much each kind of branch is talked about per topic (students vs families vs bus stops).
BRANCH_TOPIC_BOOST = {
    "stang": {
        "seating": 2.2,
        "power": 1.8,
        "wifi": 1.5,
        "noise": 1.8,
        "printing": 1.8,
        "events": 0.4,
        "hours": 1.3,
    },
    "keranou": {"events": 1.6, "staff": 1.3},
    "tanneurs": {"events": 1.4, "collections": 1.3},
    "bibliobus": {"hours": 2.0, "collections": 1.5, "loans": 1.5},
}
# Posts per weekday (Monday first) on an ordinary day.
DAY_VOLUME = (52, 58, 60, 58, 54, 46, 26)
# Posting rhythm by local hour: quiet nights, busy afternoons.
HOUR_WEIGHTS = (
    0.3,
    0.15,
    0.08,
    0.05,
    0.05,
    0.1,
    0.4,
    1.0,
    1.8,
    2.2,
    2.8,
    3.0,
    2.8,
    3.0,
    3.6,
    3.8,
    3.8,
    3.6,
    3.2,
    2.6,
    2.4,
    2.2,
    1.6,
    0.9,
)


@dataclass(frozen=True)
class Segment:
    """A stretch of an incident: `count` complaints between two local times of one day."""

    day: int
    begin: time
    end: time
    count: int


@dataclass(frozen=True)
class IncidentSpec:
    id: str
    topic: str
    branch: str
    description: str
    segments: tuple[Segment, ...]
    library_at: tuple[int, time]
    press_at: tuple[int, time]
    resolved_at: tuple[int, time] | None


def _seg(day: int, begin: str, end: str, count: int) -> Segment:
    return Segment(day, time.fromisoformat(begin), time.fromisoformat(end), count)


INCIDENTS = (
    IncidentSpec(
        "wifi-lanvern",
        "wifi",
        "lanvern",
        "Wi-Fi outage at the Médiathèque de Lanvern",
        (
            _seg(15, "13:07", "15:00", 7),
            _seg(15, "15:00", "18:00", 9),
            _seg(16, "10:00", "13:00", 7),
            _seg(16, "13:00", "16:45", 5),
        ),
        library_at=(15, time(14, 20)),
        press_at=(16, time(11, 5)),
        resolved_at=(16, time(17, 40)),
    ),
    IncidentSpec(
        "heating-centrale",
        "temperature",
        "centrale",
        "Heating failure at the Médiathèque centrale Anne-Quéré during a cold snap",
        (
            _seg(36, "10:24", "19:00", 10),
            _seg(37, "10:00", "19:00", 14),
            _seg(38, "10:00", "17:30", 9),
        ),
        library_at=(36, time(12, 5)),
        press_at=(37, time(9, 10)),
        resolved_at=(38, time(18, 10)),
    ),
    IncidentSpec(
        "sockets-stang",
        "power",
        "stang",
        "Power-socket shortage at the BU du Stang at exam time",
        (
            _seg(42, "14:12", "20:00", 1),
            _seg(43, "09:00", "21:00", 1),
            _seg(44, "09:00", "21:00", 2),
            _seg(45, "09:00", "21:00", 2),
            _seg(46, "09:00", "19:30", 3),
            _seg(47, "09:30", "17:30", 2),
            _seg(49, "08:30", "21:00", 4),
            _seg(50, "08:30", "21:00", 5),
            _seg(51, "08:30", "19:40", 6),
        ),
        library_at=(50, time(10, 0)),
        press_at=(49, time(7, 30)),
        resolved_at=None,
    ),
)
BUSY_DAY = (12, "centrale", 80)  # day offset, branch, extra posts

REPLY_SEED_OFFSET = 18  # the replies' own random generator: seed + this
REPLY_SOURCES = ("x", "mastodon", "bluesky")  # where the sample library has accounts that reply
NOT_PATRONS = ("library", "press", "irrelevant")
# kind: (share answered, earliest and latest delay in hours)
REPLY_DELAYS = {"question": (0.3, 0.2, 5.0), "complaint": (0.12, 3.0, 60.0)}
