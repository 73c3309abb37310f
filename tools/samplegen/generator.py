"""The stream, day by day: patrons' posts, the library's own, the local press, off-topic posts
that use the same words, the planted incidents and a busy day; one seeded random source."""

import random
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from nlp.text import fold
from tools.samplegen.clock import Clock
from tools.samplegen.network import Addresses, engagement, lang_hint, slug
from tools.samplegen.people import People, Persona
from tools.samplegen.phrases import Context, Phrasebook
from tools.samplegen.post import Post
from tools.samplegen.replies import add_replies
from tools.samplegen.schedule import (
    BRANCH_TOPIC_BOOST,
    BUSY_DAY,
    CAPPED_GAP,
    CAPPED_TOPICS,
    DAY_VOLUME,
    INCIDENTS,
    MOODS,
    NEG_SHARE,
    IncidentSpec,
)

ROOT = Path(__file__).resolve().parents[2]
PROFILE_PATH = ROOT / "samples" / "profile.yml"
TEMPLATES_PATH = Path(__file__).with_name("templates.yml")
PERSONAS = 1100


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
        self.accounts: dict[str, list[str]] = {}
        for account in self.profile["accounts"]:
            self.accounts.setdefault(account["source"], []).append(account["handle"].lstrip("@"))
        self.posts: list[Post] = []
        self.labels: dict[tuple[str, str], tuple[str, str]] = {}  # what each post is, for --stats
        self.capped: dict[tuple[str, str], list[datetime]] = {}  # (topic, branch) -> post times
        weights = {b: self.branch_info[b]["weight"] for b in self.branch_ids}
        self.people = People(self.rng, self.book["names"], weights, PERSONAS)
        self.phrases = Phrasebook(self.rng, self.book, self.people, self.aliases, self.accounts)
        self.clock = Clock(self.rng, start, self.tz, self.branch_info)
        self.addresses = Addresses(self.rng, self.book["reddit"]["subreddits"])
        self.incident_posts: dict[str, list[Post]] = {spec.id: [] for spec in INCIDENTS}
        self.incident_related: dict[str, list[Post]] = {spec.id: [] for spec in INCIDENTS}

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
            native = self.addresses.unique("rss", lambda: url + next(suffixes))
            link = native
        else:
            native, link = self.addresses.address(
                source, handle, at, persona.did if persona else None, title
            )
        likes, shares, replies = engagement(self.rng, source, institution=institution, boost=boost)
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
            lang_hint(self.rng, source, lang),
        )
        self.posts.append(post)
        self.labels[(source, native)] = (label, lang)
        return post

    def add_patron(
        self,
        persona: Persona,
        *,
        text: str,
        at: datetime,
        title: str,
        label: str,
        boost: float = 1.0,
        lang: str | None = None,
    ) -> Post:
        """A post by `persona`, from its account (in its language unless `lang` says otherwise)."""
        return self.add(
            source=persona.source,
            handle=persona.handle,
            text=text,
            at=at,
            lang=lang or persona.lang,
            persona=persona,
            boost=boost,
            title=title,
            label=label,
        )

    def patron_post(self, day: int) -> None:
        persona = self.people.pick()
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
        hours = self.clock.hours(branch, day)
        window = hours if hours and self.rng.random() < 0.75 else (0.0, 24.0)
        at = self.clock.utc(day, self.clock.minute(day, window))
        if mood == "neg" and topic in CAPPED_TOPICS and not self._capped_ok(topic, branch, at):
            mood = self.rng.choice(["neu", "pos"])
        if mood == "neg" and topic in CAPPED_TOPICS:
            self.capped.setdefault((topic, branch or "-"), []).append(at)
        pool = self.book["topics"][topic][persona.lang][mood]
        ctx = Context(persona.lang, persona.source, branch, topic)
        text, title = self.phrases.patron_text(persona, self.rng.choice(pool), ctx, pool)
        self.add_patron(
            persona,
            text=text,
            at=at,
            title=title,
            boost=1.5 if mood == "neg" else 1.0,
            label=f"{topic}/{mood}",
        )

    def _capped_ok(self, topic: str, branch: str | None, at: datetime) -> bool:
        """An incident topic complaint outside an incident: rare, spaced, one per branch a day."""
        for spec in INCIDENTS:
            first = self.clock.utc(spec.segments[0].day, 0)
            last = self.clock.utc(spec.segments[-1].day + 1, 0)
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
        persona = self.people.pick(lang=lang)
        ctx = Context(lang, persona.source, None)
        text, title = self.phrases.patron_text(
            persona, self.rng.choice(self.book["irrelevant"][lang]), ctx
        )
        at = self.clock.utc(day, self.clock.minute(day))
        self.add_patron(
            persona,
            text=text,
            at=at,
            lang=lang,
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
        text = self.phrases.finish(self.phrases.expand(template, ctx), ctx, sloppy=False)
        if at is None:
            weekday = self.clock.weekday(day)
            at = self.clock.utc(
                day, self.clock.minute(day, (9.0, 12.5) if weekday >= 6 else (8.5, 18.0))
            )
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
        text = self.phrases.finish(self.phrases.expand(template, ctx), ctx, sloppy=False)
        at = at or self.clock.utc(day, self.clock.minute(day, (6.0, 19.0)))
        local = at.astimezone(self.tz)
        url = f"{rss['feeds'][feed]['base']}/{local:%Y/%m/%d}/{slug(text.split(' — ')[0])}"
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
                persona = self.people.pick(home=spec.branch if self.rng.random() < 0.8 else None)
                if persona.source == "reddit":
                    persona = self.people.pick(home=persona.home)
                ctx = Context(persona.lang, persona.source, spec.branch, spec.topic, strict=True)
                pool = list(topic["incident"][persona.lang])
                if segment.day > spec.segments[0].day:  # "still", "again", "day two": not day one
                    pool += topic["incident"].get(f"{persona.lang}_later", [])
                for _ in range(50):
                    ctx.stash.clear()
                    text, title = self.phrases.patron_text(persona, self.rng.choice(pool), ctx)
                    if self.is_incident_text(spec, text):
                        break
                else:
                    raise ValueError(f"{spec.id}: templates do not name the topic or the branch")
                post = self.add_patron(
                    persona,
                    text=text,
                    at=self.clock.utc(segment.day, minute),
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
                    at=self.clock.utc(day, clock.hour * 60 + clock.minute),
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
                    at=self.clock.utc(day, clock.hour * 60 + clock.minute),
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
                    at=self.clock.utc(day, clock.hour * 60 + clock.minute),
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
            weekday = self.clock.weekday(day)
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
        self.busy_day()
        add_replies(self)
        self.posts.sort(key=lambda p: (p.created_at, p.source, p.native_id))
        return self.posts

    def busy_day(self) -> None:
        day, branch, count = BUSY_DAY
        if day >= self.weeks * 7:
            return
        hours = self.clock.hours(branch, day) or (10.0, 18.0)
        for _ in range(count):
            persona = self.people.pick()
            ctx = Context(persona.lang, persona.source, branch, strict=True)
            template = self.rng.choice(self.book["busy_day"][persona.lang])
            text, title = self.phrases.patron_text(persona, template, ctx)
            at = self.clock.utc(
                day, self.clock.minute(day, hours if self.rng.random() < 0.85 else (0, 24))
            )
            self.add_patron(
                persona,
                text=text,
                at=at,
                title=title,
                label="events/busy",
            )
