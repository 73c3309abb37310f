"""Generate the sample stream of Kerbrient, a fictional library network, with planted incidents.

Why: the demo and the tests of later stages (tagging, indexing, alerts, weekly summaries) need a
stream that looks like what a real network hears in public, with incidents whose exact start,
end and posts are known in advance. Everything is invented and seeded, so the output is the same
bytes on every machine.

    python -m samples.generate [--seed 2026] [--out samples/stream.jsonl] [--start 2026-09-28]
                               [--weeks 8]

Writes the stream (one JSON post per line, sorted by `created_at`) and, next to it,
`incidents.json` (the ground truth). Branches and the library's accounts come from
`samples/profile.yml`; every phrase comes from `samples/templates.yml`.

Planted incidents, with the defaults (seed 2026, start Monday 2026-09-28); local time is
Europe/Paris, the stream itself is in UTC:

* ``wifi-lanvern`` - Wi-Fi outage at the Médiathèque de Lanvern, week 3: 28 complaints from
  Tuesday 2026-10-13 13:07 local (11:07Z) to Wednesday 2026-10-14 16:45 local (14:45Z), seven of
  them in the first two hours.
* ``heating-centrale`` - heating failure at the Médiathèque centrale Anne-Quéré during a cold
  snap, week 6: 33 complaints from Tuesday 2026-11-03 10:24 local (09:24Z) to Thursday
  2026-11-05 17:30 local (16:30Z).
* ``sockets-stang`` - power-socket shortage at the BU du Stang at exam time, weeks 7-8: 26
  complaints growing from one a day to six a day, Monday 2026-11-09 14:12 local (13:12Z) to
  Wednesday 2026-11-18 19:40 local (18:40Z).

Outside those windows a Wi-Fi, temperature or power complaint is rare: at most one per branch per
day and at least three hours apart network-wide, so that count rules only fire on the incidents.
Saturday 2026-10-10 (week 2) is a busy but happy day (a book festival at the central library),
not an incident.
"""

import argparse
import json
import random
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from nlp.text import fold

HERE = Path(__file__).resolve().parent
PROFILE_PATH = HERE / "profile.yml"
TEMPLATES_PATH = HERE / "templates.yml"
DEFAULT_OUT = HERE / "stream.jsonl"
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
WEEKDAYS = {
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
X_EPOCH_MS = 1_288_834_974_657
_SLOT = re.compile(r"\{(\w+)\}")
_CHOICE = re.compile(r"\[([^\[\]]*)\]")
_STASH = re.compile("\ue000(\\d+)\ue001")
_WORD = re.compile(r"[^\W\d_]{6,}")


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


@dataclass(frozen=True)
class Post:
    source: str
    native_id: str
    url: str
    author_handle: str
    text: str
    created_at: datetime
    likes: int
    shares: int
    replies: int
    lang_hint: str | None
    in_reply_to: str | None = None
    thread: str | None = None

    def to_json(self) -> str:
        threads = {"in_reply_to": self.in_reply_to, "thread": self.thread}
        return json.dumps(
            {
                "source": self.source,
                "native_id": self.native_id,
                "url": self.url,
                "author_handle": self.author_handle,
                "text": self.text,
                "created_at": self.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "likes": self.likes,
                "shares": self.shares,
                "replies": self.replies,
                "lang_hint": self.lang_hint,
            }
            | {key: value for key, value in threads.items() if value},
            ensure_ascii=False,
        )


@dataclass(frozen=True)
class Persona:
    """A fake patron: one network, one language, a home branch, and how chatty they are."""

    source: str
    handle: str
    lang: str
    home: str
    activity: float
    did: str = ""


@dataclass
class Context:
    lang: str
    source: str
    branch: str | None
    topic: str | None = None
    strict: bool = False  # incident posts: the branch must be named by a profile alias
    formal: bool = False  # the library's own posts
    stash: list[str] = field(default_factory=list)


def strip_accents(text: str) -> str:
    """A patron typing without accents: case and letters stay."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _base(number: int, alphabet: str, width: int = 0) -> str:
    digits = ""
    while number:
        number, rest = divmod(number, len(alphabet))
        digits = alphabet[rest] + digits
    return digits.rjust(width, alphabet[0]) or alphabet[0]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")[:60]


class Generator:
    """Builds the stream day by day from the profile, the phrase book and one seeded RNG."""

    def __init__(self, seed: int, start: date, weeks: int) -> None:
        if start.isoweekday() != 1:
            raise ValueError(f"the stream starts on a Monday (ISO week), not {start:%A}")
        self.rng = random.Random(seed)
        self.seed, self.start, self.weeks = seed, start, weeks
        self.profile: dict[str, Any] = yaml.safe_load(PROFILE_PATH.read_text(encoding="utf-8"))
        self.book: dict[str, Any] = yaml.safe_load(TEMPLATES_PATH.read_text(encoding="utf-8"))
        self.tz = ZoneInfo(self.profile["library"]["timezone"])
        self.branch_info: dict[str, Any] = self.book["branches"]
        self.branch_ids = [branch["id"] for branch in self.profile["branches"]]
        self.aliases = {
            branch["id"]: [fold(name) for name in [branch["name"], *branch.get("aliases", [])]]
            for branch in self.profile["branches"]
        }
        self.keywords = {
            topic: [fold(w) for w in words] for topic, words in self.book["keywords"].items()
        }
        self.protected = [word for words in self.keywords.values() for word in words]
        self.accounts: dict[str, list[str]] = {}
        for account in self.profile["accounts"]:
            self.accounts.setdefault(account["source"], []).append(account["handle"].lstrip("@"))
        self.posts: list[Post] = []
        self.labels: dict[tuple[str, str], tuple[str, str]] = {}  # what each post is, for --stats
        self.ids: set[tuple[str, str]] = set()
        self.capped: dict[tuple[str, str], list[datetime]] = {}  # (topic, branch) -> post times
        self.personas = self._personas(1100)
        self.persona_weights = list(accumulate(p.activity for p in self.personas))
        self.incident_posts: dict[str, list[Post]] = {spec.id: [] for spec in INCIDENTS}
        self.incident_related: dict[str, list[Post]] = {spec.id: [] for spec in INCIDENTS}

    # ---- people -------------------------------------------------------------------------

    def _personas(self, count: int) -> list[Persona]:
        names = self.book["names"]
        branch_weights = [self.branch_info[b]["weight"] for b in self.branch_ids]
        people: list[Persona] = []
        taken: set[str] = set()
        while len(people) < count:
            source = self.rng.choices(SOURCES, SOURCE_WEIGHTS)[0]
            home = self.rng.choices(self.branch_ids, branch_weights)[0]
            en_share = {"stang": 0.34, "centrale": 0.14}.get(home, 0.06)
            if source in ("bluesky", "reddit"):
                en_share *= 1.4
            lang = "en" if self.rng.random() < en_share else "fr"
            user = self._username(names)
            if source == "mastodon":
                handle = f"{user}@{self.rng.choice(names['mastodon_instances'])}"
            elif source == "bluesky":
                handle = f"{user.replace('_', '-').replace('.', '-')}.bsky.social"
            else:
                handle = user
            if f"{source}/{handle}" in taken:
                continue
            taken.add(f"{source}/{handle}")
            activity = min(self.rng.paretovariate(1.6), 25.0)
            did = _base(self.rng.getrandbits(120), TID_ALPHABET, 24)[:24]
            people.append(Persona(source, handle, lang, home, activity, did))
        return people

    def _username(self, names: dict[str, Any]) -> str:
        first = fold(self.rng.choice(names["first"])).replace(" ", "")
        last = fold(self.rng.choice(names["last"])).replace(" ", "").replace("'", "")
        word = self.rng.choice(names["handle_words"])
        pattern = self.rng.randrange(7)
        user = (
            f"{first}{last}",
            f"{first}_{word}",
            f"{first}.{last[0]}",
            f"{word}_{first}{self.rng.randrange(1, 99)}",
            f"{first}{last[:3]}{self.rng.randrange(10, 2000)}",
            f"{first[:3]}{last}",
            f"{last}_{first[0]}",
        )[pattern]
        return user[:15] if self.rng.random() < 0.5 else user

    def pick_persona(self, *, home: str | None = None, lang: str | None = None) -> Persona:
        for _ in range(200):
            persona = self.rng.choices(self.personas, cum_weights=self.persona_weights)[0]
            if (home is None or persona.home == home) and (lang is None or persona.lang == lang):
                return persona
        return persona

    # ---- text ---------------------------------------------------------------------------

    def expand(self, template: str, ctx: Context) -> str:
        """Resolve [a|b] choices and {slot}s until none is left."""
        text = template
        for _ in range(12):
            previous = text
            while _CHOICE.search(text):
                text = _CHOICE.sub(lambda m: self.rng.choice(m.group(1).split("|")), text)
            text = _SLOT.sub(lambda m: self.slot(m.group(1), ctx), text)
            if text == previous:
                break
        return text

    def slot(self, name: str, ctx: Context) -> str:
        if ctx.topic:
            local = self.book["topics"][ctx.topic].get("slots", {}).get(ctx.lang, {})
            if name in local:
                return str(self.rng.choice(local[name]))
        lexicon = self.book["lexicon"][ctx.lang]
        if name in lexicon:
            return str(self.rng.choice(lexicon[name]))
        builtin: dict[str, Callable[[Context], str]] = {
            "at": lambda c: self._branch_phrase(c, "at"),
            "br": lambda c: self._branch_phrase(c, "br"),
            "br_cap": lambda c: self._branch_phrase(c, "br", capital=True),
            "tag": self._hashtag,
            "staff": lambda c: self.rng.choice(self.book["names"]["staff"]),
            "first": lambda c: self.rng.choice(self.book["names"]["first"]),
            "last": lambda c: self.rng.choice(self.book["names"]["last"]),
            "handle": self._mention,
            "lib": self._library_mention,
            "email": self._email,
            "phone": self._phone,
            "hour": self._hour,
            "n": lambda c: str(self.rng.randrange(2, 12)),
            "deg": lambda c: str(self.rng.randrange(10, 15)),
            "day": lambda c: self.rng.choice(WEEKDAYS[c.lang]),
            "title": lambda c: self.rng.choice(self.book["names"]["titles"]),
        }
        if name not in builtin:
            raise KeyError(f"unknown slot {{{name}}} in samples/templates.yml")
        return self._keep(builtin[name](ctx), ctx)

    @staticmethod
    def _keep(value: str, ctx: Context) -> str:
        # Names, handles and contact details are stashed so sloppiness never garbles them.
        ctx.stash.append(value)
        return f"\ue000{len(ctx.stash) - 1}\ue001"

    def _branch_phrase(self, ctx: Context, kind: str, *, capital: bool = False) -> str:
        key = f"{ctx.lang}_{kind}"
        if ctx.branch is None:
            phrase = str(self.rng.choice(self.book["generic"][key]))
        else:
            options: list[str] = self.branch_info[ctx.branch][key]
            if ctx.formal:  # the library writes its own names properly
                options = options[:2]
            if ctx.strict:
                names = self.aliases[ctx.branch]
                options = [o for o in options if any(name in fold(o) for name in names)]
            phrase = self.rng.choice(options)
        return phrase[:1].upper() + phrase[1:] if capital else phrase

    def _hashtag(self, ctx: Context) -> str:
        tags = self.branch_info[ctx.branch]["tags"] if ctx.branch else self.book["generic"]["tags"]
        return str(self.rng.choice(tags))

    def _mention(self, ctx: Context) -> str:
        source = ctx.source if ctx.source in SOURCES else "x"
        other = self.rng.choice([p for p in self.personas[:300] if p.source == source])
        return f"u/{other.handle}" if source == "reddit" else f"@{other.handle}"

    def _library_mention(self, ctx: Context) -> str:
        handles = self.accounts.get(ctx.source)
        if not handles:
            return "la médiathèque" if ctx.lang == "fr" else "the library"
        return "@" + (handles[1] if ctx.branch == "stang" and len(handles) > 1 else handles[0])

    def _email(self, ctx: Context) -> str:
        user = self._username(self.book["names"]).replace("_", ".")
        domain = self.rng.choice(["example.com", "example.org", "example.net", "mail.example"])
        return f"{user}@{domain}"

    def _phone(self, ctx: Context) -> str:
        if ctx.lang == "en":
            return f"07700 900{self.rng.randrange(1000):03d}"  # reserved for fiction
        tail = f"{self.rng.randrange(100):02d} {self.rng.randrange(100):02d}"
        return self.rng.choice(
            [
                f"06 39 98 {tail}",
                f"0639 98{tail.replace(' ', '')}",
                f"+33 6 39 98 {tail}",
                f"06.39.98.{tail.replace(' ', '.')}",
                f"01 99 00 {tail}",
            ]
        )

    def _hour(self, ctx: Context) -> str:
        hour = self.rng.choice([10, 11, 14, 15, 16, 17, 18, 20])
        minutes = self.rng.choice(["", "", "30"])
        if ctx.lang == "en":
            suffix = "pm" if hour >= 12 else "am"
            return f"{hour % 12 or 12}{':' + minutes if minutes else ''}{suffix}"
        return f"{hour}h{minutes}"

    def finish(self, text: str, ctx: Context, *, sloppy: bool) -> str:
        """Patron posts get shorthand, typos and lowercase; then stashed parts are restored."""
        if sloppy:
            text = self._roughen(text, ctx.lang)
        text = _STASH.sub(lambda m: ctx.stash[int(m.group(1))], text)
        text = re.sub(r"\s+([,.])", r"\1", re.sub(r"[ \t]{2,}", " ", text)).strip()
        return text[:1].upper() + text[1:] if text[:1].islower() and not sloppy else text

    def _roughen(self, text: str, lang: str) -> str:
        rng = self.rng
        if rng.random() < 0.35:
            for long, short in self.book["abbreviations"][lang].items():
                if rng.random() < 0.6:
                    text = re.sub(rf"(?<!\w){re.escape(long)}(?!\w)", short, text)
        if rng.random() < 0.12:
            words = [
                m
                for m in _WORD.finditer(text)
                if not any(k in fold(m.group()) for k in self.protected)
            ]
            if words:
                match = rng.choice(words)
                word, i = match.group(), rng.randrange(1, len(match.group()) - 2)
                typo = rng.choice(
                    [
                        word[:i] + word[i + 1] + word[i] + word[i + 2 :],
                        word[:i] + word[i + 1 :],
                        word[:i] + word[i] + word[i:],
                    ]
                )
                text = text[: match.start()] + typo + text[match.end() :]
        if rng.random() < 0.08:
            text = strip_accents(text)
        if rng.random() < 0.15:
            text = text.lower()
        elif text[:1].islower() and rng.random() < 0.7:
            text = text[:1].upper() + text[1:]
        if rng.random() < 0.3:
            text = text.rstrip(".")
        return text

    # ---- ids, links, engagement ---------------------------------------------------------

    def _unique(self, source: str, make: Callable[[], str]) -> str:
        while (native := make()) and (source, native) in self.ids:
            pass
        self.ids.add((source, native))
        return native

    def _address(
        self, source: str, handle: str, at: datetime, persona: Persona | None, title: str = ""
    ) -> tuple[str, str]:
        ms = int(at.timestamp() * 1000) + self.rng.randrange(1000)
        if source == "x":
            native = self._unique(
                "x", lambda: str(((ms - X_EPOCH_MS) << 22) | self.rng.getrandbits(22))
            )
            return native, f"https://x.com/{handle}/status/{native}"
        if source == "mastodon":
            native = self._unique("mastodon", lambda: str((ms << 16) | self.rng.getrandbits(16)))
            user, instance = handle.split("@")
            return native, f"https://{instance}/@{user}/{native}"
        if source == "bluesky":
            # The library's accounts get a stable made-up DID derived from the handle.
            did = (
                persona.did
                if persona
                else _base(int.from_bytes(handle.encode()[:15], "big"), TID_ALPHABET, 24)[-24:]
            )
            tid = self._unique(
                "bluesky-tid",
                lambda: _base(
                    (ms * 1000 + self.rng.randrange(1000)) << 10 | self.rng.getrandbits(10),
                    TID_ALPHABET,
                    13,
                ),
            )
            native = f"at://did:plc:{did}/app.bsky.feed.post/{tid}"
            self.ids.add(("bluesky", native))
            return native, f"https://bsky.app/profile/{handle}/post/{tid}"
        if source == "reddit":
            sub = self.rng.choice(self.book["reddit"]["subreddits"])
            counter = int(at.timestamp() // 7) + self.rng.randrange(7)

            def reddit_id() -> str:
                return _base(counter * 36 + self.rng.randrange(36), BASE36, 7)

            if title:
                native = "t3_" + self._unique("reddit36", reddit_id)
                self.ids.add(("reddit", native))
                return (
                    native,
                    f"https://www.reddit.com/r/{sub}/comments/{native[3:]}/{_slug(title)}/",
                )
            parent = _base(counter * 36 - self.rng.randrange(36, 36 * 5000), BASE36, 7)
            native = "t1_" + self._unique("reddit36", reddit_id)
            self.ids.add(("reddit", native))
            return native, f"https://www.reddit.com/r/{sub}/comments/{parent}/comment/{native[3:]}/"
        raise ValueError(source)

    def _engagement(
        self, source: str, *, institution: bool, boost: float = 1.0
    ) -> tuple[int, int, int]:
        rng = self.rng
        if source == "rss":
            return 0, 0, 0
        if institution:
            likes = int(rng.uniform(4, 30) * rng.paretovariate(2.5) * boost)
            return likes, int(likes * rng.uniform(0.1, 0.4)), int(rng.uniform(0, 5) * boost)
        tail = min(rng.paretovariate(2.2) - 1, 12.0)
        if source == "reddit":
            return int(1 + tail * 8 * boost), 0, int(tail * 4 * boost)
        likes = int(tail * 3 * boost)
        return likes, int(likes * rng.uniform(0, 0.4)), int(tail * 1.5 * boost)

    def _lang_hint(self, source: str, lang: str) -> str | None:
        roll = self.rng.random()
        if source == "x":
            return lang if roll < 0.9 else ("und" if roll < 0.95 else None)
        if source == "mastodon":
            wrong = "fr" if lang == "en" else "en"  # a client left on its default language
            return lang if roll < 0.7 else (None if roll < 0.9 else wrong)
        if source == "bluesky":
            return lang if roll < 0.85 else None
        if source == "rss":
            return "fr" if roll < 0.6 else None
        return None

    # ---- time ---------------------------------------------------------------------------

    def _utc(self, day: int, minute_of_day: float) -> datetime:
        local = datetime.combine(self.start + timedelta(days=day), time(), tzinfo=self.tz)
        local = local.replace(
            hour=int(minute_of_day // 60),
            minute=int(minute_of_day % 60),
            second=int((minute_of_day * 60) % 60),
        )
        return local.astimezone(UTC)

    def _minute(self, day: int, window: tuple[float, float] = (0, 24)) -> float:
        weekday = (self.start + timedelta(days=day)).isoweekday()
        weights = [
            w * (0.35 if weekday == 7 and h < 12 else 1.0) if window[0] <= h < window[1] else 0.0
            for h, w in enumerate(HOUR_WEIGHTS)
        ]
        hour = self.rng.choices(range(24), weights)[0]
        low = max(hour, window[0])
        high = min(hour + 1, window[1])
        return self.rng.uniform(low * 60, high * 60 - 0.02)

    def _hours(self, branch: str | None, day: int) -> tuple[float, float] | None:
        if branch is None:
            return None
        weekday = (self.start + timedelta(days=day)).isoweekday()
        span = self.branch_info[branch]["hours"].get(weekday)
        return (float(span[0]), float(span[1])) if span else None

    # ---- posts --------------------------------------------------------------------------

    def add(
        self,
        *,
        source: str,
        handle: str,
        text: str,
        at: datetime,
        lang: str,
        persona: Persona | None,
        institution: bool = False,
        boost: float = 1.0,
        title: str = "",
        url: str = "",
        label: str = "",
    ) -> Post:
        if source == "rss":
            suffixes = iter(["", *(f"-{n}" for n in range(2, 100))])
            native = self._unique("rss", lambda: url + next(suffixes))
            link = native
        else:
            native, link = self._address(source, handle, at, persona, title)
        likes, shares, replies = self._engagement(source, institution=institution, boost=boost)
        post = Post(
            source,
            native,
            link,
            handle,
            text,
            at,
            likes,
            shares,
            replies,
            self._lang_hint(source, lang),
        )
        self.posts.append(post)
        self.labels[(source, native)] = (label, lang)
        return post

    def patron_text(
        self, persona: Persona, template: str, ctx: Context, topic_pool: Sequence[str] | None = None
    ) -> tuple[str, str]:
        """Render one patron post for `persona`; returns (text, reddit title or "")."""
        body = self.expand(template, ctx)
        if self.rng.random() < 0.07:
            body += self.expand(self.rng.choice(self.book["extras"][ctx.lang]), ctx)
        hashtag_odds = {"x": 0.22, "mastodon": 0.45, "bluesky": 0.12}.get(persona.source, 0.0)
        if self.rng.random() < hashtag_odds:
            tags = (
                self.branch_info[ctx.branch]["tags"]
                if ctx.branch
                else self.book["generic"]["tags" if ctx.lang == "fr" else "en_tags"]
            )
            count = min(len(tags), self.rng.choice([1, 1, 2]))
            body += " " + " ".join(self.rng.sample(tags, count))
        title = ""
        if persona.source == "reddit":
            others = [t for t in topic_pool or () if t != template]
            if others and self.rng.random() < 0.4:
                body += " " + self.expand(self.rng.choice(others), ctx)
            if self.rng.random() < 0.55:
                title = self.expand(self.rng.choice(self.book["reddit"]["titles"][ctx.lang]), ctx)
        text = self.finish(body, ctx, sloppy=True)
        if persona.source == "x" and len(text) > 280:
            text = text[:279].rstrip() + "…"
        return (f"{title}\n\n{text}" if title else text), title

    def patron_post(self, day: int) -> None:
        persona = self.pick_persona()
        roll = self.rng.random()
        if roll < 0.66:
            branch: str | None = persona.home
        elif roll < 0.80:
            branch = self.rng.choices(
                self.branch_ids, [self.branch_info[b]["weight"] for b in self.branch_ids]
            )[0]
        else:
            branch = None
        topics = [
            t
            for t in self.book["topics"]
            if branch is None or t not in self.branch_info[branch]["topics_skip"]
        ]
        boost = BRANCH_TOPIC_BOOST.get(branch or "", {})
        weights = [self.book["topics"][t]["weight"] * boost.get(t, 1.0) for t in topics]
        topic = self.rng.choices(topics, weights)[0]
        neg = NEG_SHARE[topic]
        mood = self.rng.choices(MOODS, [neg, (1 - neg) * 0.45, (1 - neg) * 0.55])[0]
        hours = self._hours(branch, day)
        window = hours if hours and self.rng.random() < 0.75 else (0.0, 24.0)
        at = self._utc(day, self._minute(day, window))
        if mood == "neg" and topic in CAPPED_TOPICS and not self._capped_ok(topic, branch, at):
            mood = self.rng.choice(["neu", "pos"])
        if mood == "neg" and topic in CAPPED_TOPICS:
            self.capped.setdefault((topic, branch or "-"), []).append(at)
        pool = self.book["topics"][topic][persona.lang][mood]
        ctx = Context(persona.lang, persona.source, branch, topic)
        text, title = self.patron_text(persona, self.rng.choice(pool), ctx, pool)
        self.add(
            source=persona.source,
            handle=persona.handle,
            text=text,
            at=at,
            lang=persona.lang,
            persona=persona,
            title=title,
            boost=1.5 if mood == "neg" else 1.0,
            label=f"{topic}/{mood}",
        )

    def _capped_ok(self, topic: str, branch: str | None, at: datetime) -> bool:
        """An incident topic complaint outside an incident: rare, spaced, one per branch a day."""
        for spec in INCIDENTS:
            first = self._utc(spec.segments[0].day, 0)
            last = self._utc(spec.segments[-1].day + 1, 0)
            if spec.topic == topic and first - timedelta(days=1) <= at <= last + timedelta(days=1):
                return False
        local_day = at.astimezone(self.tz).date()
        for (other_topic, other_branch), times in self.capped.items():
            if other_topic != topic:
                continue
            for seen in times:
                if abs(seen - at) < CAPPED_GAP:
                    return False
                if other_branch == (branch or "-") and seen.astimezone(self.tz).date() == local_day:
                    return False
        return True

    def irrelevant_post(self, day: int) -> None:
        lang = "en" if self.rng.random() < 0.15 else "fr"
        persona = self.pick_persona(lang=lang)
        ctx = Context(lang, persona.source, None)
        text, title = self.patron_text(persona, self.rng.choice(self.book["irrelevant"][lang]), ctx)
        at = self._utc(day, self._minute(day))
        self.add(
            source=persona.source,
            handle=persona.handle,
            text=text,
            at=at,
            lang=lang,
            persona=persona,
            title=title,
            label="irrelevant",
        )

    def library_post(
        self,
        day: int,
        *,
        template: str | None = None,
        branch: str | None = None,
        at: datetime | None = None,
        boost: float = 1.0,
    ) -> Post:
        lang = "en" if template is None and self.rng.random() < 0.06 else "fr"
        if template is None:
            kinds = self.book["library"][lang]
            kind = self.rng.choices(
                list(kinds),
                [
                    {"events": 5, "hours": 1.5, "digital": 1.2, "collections": 2}.get(k, 0.5)
                    for k in kinds
                ],
            )[0]
            template = self.rng.choice(kinds[kind])
        if branch is None:
            branch = self.rng.choices(
                self.branch_ids, [self.branch_info[b]["weight"] for b in self.branch_ids]
            )[0]
        source = self.rng.choices(["x", "mastodon", "bluesky"], [40, 35, 25])[0]
        handles = self.accounts[source]
        handle = handles[1] if branch == "stang" and len(handles) > 1 else handles[0]
        ctx = Context(lang, source, branch, strict=True, formal=True)
        text = self.finish(self.expand(template, ctx), ctx, sloppy=False)
        if at is None:
            weekday = (self.start + timedelta(days=day)).isoweekday()
            at = self._utc(day, self._minute(day, (9.0, 12.5) if weekday >= 6 else (8.5, 18.0)))
        return self.add(
            source=source,
            handle=handle,
            text=text,
            at=at,
            lang=lang,
            persona=None,
            institution=True,
            boost=boost,
            label="library",
        )

    def rss_post(
        self,
        day: int,
        *,
        feed: str,
        template: str | None = None,
        at: datetime | None = None,
        branch: str | None = None,
    ) -> Post:
        rss = self.book["rss"]
        if template is None:
            pool = rss["echo_other"] if feed == "echo" and self.rng.random() < 0.5 else rss[feed]
            template = self.rng.choice(pool)
        if branch is None:
            branch = self.rng.choice(self.branch_ids[:5])
        ctx = Context("fr", "rss", branch, strict=True, formal=True)
        text = self.finish(self.expand(template, ctx), ctx, sloppy=False)
        at = at or self._utc(day, self._minute(day, (6.0, 19.0)))
        local = at.astimezone(self.tz)
        url = f"{rss['feeds'][feed]['base']}/{local:%Y/%m/%d}/{_slug(text.split(' — ')[0])}"
        return self.add(
            source="rss",
            handle=rss["feeds"][feed]["handle"],
            text=text,
            at=at,
            lang="fr",
            persona=None,
            institution=feed == "actus",
            url=url,
            label="library" if feed == "actus" else "press",
        )

    # ---- incidents ----------------------------------------------------------------------

    def incident(self, spec: IncidentSpec) -> None:
        days = self.weeks * 7
        topic = self.book["topics"][spec.topic]
        for index, segment in enumerate(spec.segments):
            if segment.day >= days:
                continue
            begin = segment.begin.hour * 60 + segment.begin.minute
            end = segment.end.hour * 60 + segment.end.minute
            minutes = sorted(self.rng.uniform(begin, end) for _ in range(segment.count))
            if index == 0:
                minutes[0] = begin
            if index == len(spec.segments) - 1:
                minutes[-1] = end
            for minute in minutes:
                persona = self.pick_persona(home=spec.branch if self.rng.random() < 0.8 else None)
                if persona.source == "reddit":
                    persona = self.pick_persona(home=persona.home)
                ctx = Context(persona.lang, persona.source, spec.branch, spec.topic, strict=True)
                pool = list(topic["incident"][persona.lang])
                if segment.day > spec.segments[0].day:  # "still", "again", "day two": not day one
                    pool += topic["incident"].get(f"{persona.lang}_later", [])
                for _ in range(50):
                    ctx.stash.clear()
                    text, title = self.patron_text(persona, self.rng.choice(pool), ctx)
                    if self.is_incident_text(spec, text):
                        break
                else:
                    raise ValueError(f"{spec.id}: templates do not name the topic or the branch")
                post = self.add(
                    source=persona.source,
                    handle=persona.handle,
                    text=text,
                    at=self._utc(segment.day, minute),
                    lang=persona.lang,
                    persona=persona,
                    title=title,
                    boost=2.0,
                    label=f"{spec.topic}/neg/incident",
                )
                self.incident_posts[spec.id].append(post)
        related = self.incident_related[spec.id]
        day, clock = spec.library_at
        if day < days:
            related.append(
                self.library_post(
                    day,
                    template=topic["library"]["fr"][0],
                    branch=spec.branch,
                    boost=3.0,
                    at=self._utc(day, clock.hour * 60 + clock.minute),
                )
            )
        day, clock = spec.press_at
        if day < days:
            related.append(
                self.rss_post(
                    day,
                    feed="echo",
                    branch=spec.branch,
                    template=self.book["rss"]["echo_incident"][spec.topic],
                    at=self._utc(day, clock.hour * 60 + clock.minute),
                )
            )
        if spec.resolved_at and spec.resolved_at[0] < days and topic["resolved"]["fr"]:
            day, clock = spec.resolved_at
            related.append(
                self.library_post(
                    day,
                    template=topic["resolved"]["fr"][0],
                    branch=spec.branch,
                    boost=2.0,
                    at=self._utc(day, clock.hour * 60 + clock.minute),
                )
            )

    def is_incident_text(self, spec: IncidentSpec, text: str) -> bool:
        folded = fold(text)
        return any(word in folded for word in self.keywords[spec.topic]) and any(
            alias in folded for alias in self.aliases[spec.branch]
        )

    # ---- the whole stream ---------------------------------------------------------------

    def run(self) -> list[Post]:
        for spec in INCIDENTS:  # first, so background complaints keep clear of them
            self.incident(spec)
        for day in range(self.weeks * 7):
            weekday = (self.start + timedelta(days=day)).isoweekday()
            week = day // 7
            volume = DAY_VOLUME[weekday - 1] * self.rng.uniform(0.85, 1.15) * (1 + 0.02 * week)
            if week in (3, 4):  # autumn school holidays: fewer students around
                volume *= 0.9
            total = round(volume)
            library = self.rng.randrange(3, 7) if weekday < 6 else self.rng.randrange(0, 3)
            rss = self.rng.randrange(1, 4) if weekday < 6 else 0
            irrelevant = round(total * self.rng.uniform(0.15, 0.22))
            for _ in range(library):
                self.library_post(day)
            for _ in range(rss):
                self.rss_post(day, feed="actus" if self.rng.random() < 0.35 else "echo")
            for _ in range(irrelevant):
                self.irrelevant_post(day)
            for _ in range(max(0, total - library - rss - irrelevant)):
                self.patron_post(day)
        self._busy_day()
        self._answers()
        self.posts.sort(key=lambda p: (p.created_at, p.source, p.native_id))
        return self.posts

    def _answers(self) -> None:
        """The library's replies to questions and complaints on the networks where it has
        accounts: questions answered within hours, complaints often a day or more later, some
        never. A random generator of its own, so every other post stays as it was."""
        rng = random.Random(self.seed + REPLY_SEED_OFFSET)
        end = self._utc(self.weeks * 7, 0)
        for post in sorted(self.posts, key=lambda p: (p.created_at, p.source, p.native_id)):
            label, lang = self.labels[(post.source, post.native_id)]
            handles = self.accounts.get(post.source)
            if not handles or post.source not in REPLY_SOURCES or label in NOT_PATRONS:
                continue
            kind = "complaint" if "/neg" in label else "question" if "?" in post.text else None
            if kind is None or "quelqu" in fold(post.text) or "anyone" in fold(post.text):
                continue
            answered, low, high = REPLY_DELAYS[kind]
            if rng.random() >= answered:
                continue
            at = post.created_at + timedelta(hours=rng.uniform(low, high))
            if at >= end:
                continue
            self._reply(post, handles[0], rng.choice(self.book["replies"][kind][lang]), at)

    def _reply(self, post: Post, handle: str, text: str, at: datetime) -> None:
        native = f"{post.native_id}1" if post.source != "bluesky" else f"{post.native_id}r"
        if post.source == "x":
            url = f"https://x.com/{handle}/status/{native}"
        elif post.source == "mastodon":
            user, host = handle.split("@", 1)
            url = f"https://{host}/@{user}/{native}"
        else:
            url = f"https://bsky.app/profile/{handle}/post/{native.rsplit('/', 1)[-1]}"
        thread = None if post.source == "mastodon" else post.native_id  # a root post's id
        lang = self.labels[(post.source, post.native_id)][1]
        self.posts.append(
            Post(
                *(post.source, native, url, handle, text, at, 0, 0, 0, post.lang_hint),
                in_reply_to=post.native_id,
                thread=thread,
            )
        )
        self.labels[(post.source, native)] = ("reply", lang)

    def _busy_day(self) -> None:
        day, branch, count = BUSY_DAY
        if day >= self.weeks * 7:
            return
        hours = self._hours(branch, day) or (10.0, 18.0)
        for _ in range(count):
            persona = self.pick_persona()
            ctx = Context(persona.lang, persona.source, branch, strict=True)
            template = self.rng.choice(self.book["busy_day"][persona.lang])
            text, title = self.patron_text(persona, template, ctx)
            at = self._utc(day, self._minute(day, hours if self.rng.random() < 0.85 else (0, 24)))
            self.add(
                source=persona.source,
                handle=persona.handle,
                text=text,
                at=at,
                lang=persona.lang,
                persona=persona,
                title=title,
                label="events/busy",
            )

    def ground_truth(self) -> dict[str, Any]:
        incidents = []
        for spec in INCIDENTS:
            posts = sorted(self.incident_posts[spec.id], key=lambda p: p.created_at)
            if not posts:
                continue
            related = sorted(self.incident_related[spec.id], key=lambda p: p.created_at)
            incidents.append(
                {
                    "id": spec.id,
                    "topic": spec.topic,
                    "branch": spec.branch,
                    "description": spec.description,
                    "first_post": posts[0].created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "last_post": posts[-1].created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "count": len(posts),
                    "native_ids": [p.native_id for p in posts],
                    "mention_ids": [f"{p.source}:{p.native_id}" for p in posts],
                    "related_mention_ids": [f"{p.source}:{p.native_id}" for p in related],
                }
            )
        return {
            "seed": self.seed,
            "start": self.start.isoformat(),
            "weeks": self.weeks,
            "timezone": str(self.tz),
            "incidents": incidents,
        }


REPLY_SEED_OFFSET = 18  # the replies' own random generator: seed + this
REPLY_SOURCES = ("x", "mastodon", "bluesky")  # where the sample library has accounts that reply
NOT_PATRONS = ("library", "press", "irrelevant")
# kind: (share answered, earliest and latest delay in hours)
REPLY_DELAYS = {"question": (0.3, 0.2, 5.0), "complaint": (0.12, 3.0, 60.0)}


def stats(generator: Generator) -> dict[str, Counter[str]]:
    """Counts per ISO week, source, language, kind of post and topic (for the README)."""
    kinds = ("week", "source", "lang", "kind", "topic")
    found: dict[str, Counter[str]] = {kind: Counter() for kind in kinds}
    for post in generator.posts:
        label, lang = generator.labels[(post.source, post.native_id)]
        local = post.created_at.astimezone(generator.tz).date()
        found["week"][f"W{(local - generator.start).days // 7 + 1}"] += 1
        found["source"][post.source] += 1
        found["lang"][lang] += 1
        kind = label if label in (*NOT_PATRONS, "reply") else "patron"
        found["kind"][kind] += 1
        if kind == "patron":
            found["topic"][label.split("/")[0]] += 1
            if "/neg" in label:
                found["topic"][label.split("/")[0] + " (complaints)"] += 1
    return found


def generate(
    seed: int = DEFAULT_SEED, start: date = DEFAULT_START, weeks: int = DEFAULT_WEEKS
) -> tuple[list[Post], dict[str, Any]]:
    """The stream and its ground truth, without touching the disk."""
    generator = Generator(seed, start, weeks)
    return generator.run(), generator.ground_truth()


def write(
    out: Path, seed: int = DEFAULT_SEED, start: date = DEFAULT_START, weeks: int = DEFAULT_WEEKS
) -> tuple[Path, Path]:
    posts, truth = generate(seed, start, weeks)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(post.to_json() + "\n" for post in posts), encoding="utf-8")
    incidents = out.with_name("incidents.json")
    incidents.write_text(json.dumps(truth, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return out, incidents


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m samples.generate",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="the stream; incidents.json is written next to it",
    )
    parser.add_argument(
        "--start",
        type=date.fromisoformat,
        default=DEFAULT_START,
        help="a Monday, first day of the first ISO week",
    )
    parser.add_argument("--weeks", type=int, default=DEFAULT_WEEKS)
    parser.add_argument("--stats", action="store_true", help="print counts instead of writing")
    args = parser.parse_args(argv)
    if args.stats:
        generator = Generator(args.seed, args.start, args.weeks)
        generator.run()
        for name, counts in stats(generator).items():
            print(name, dict(sorted(counts.items())))
        return
    out, incidents = write(args.out, args.seed, args.start, args.weeks)
    print(f"wrote {out} and {incidents}")


if __name__ == "__main__":
    main()
