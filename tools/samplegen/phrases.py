"""The phrase book at work: templates expanded into posts, then roughened like patrons type.

Grammar of `templates.yml`: `[a|b]` picks one, `{slot}` fills a slot (the topic's own slots,
then the lexicon, then the built-ins below). Names, handles and contact details are kept aside
while a post is roughened, so typos never garble them.
"""

import random
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from nlp.text import fold
from tools.samplegen.people import People, Persona
from tools.samplegen.schedule import SOURCES

WEEKDAYS = {
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_SLOT = re.compile(r"\{(\w+)\}")
_CHOICE = re.compile(r"\[([^\[\]]*)\]")
_STASH = re.compile("\ue000(\\d+)\ue001")
_WORD = re.compile(r"[^\W\d_]{6,}")


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


class Phrasebook:
    """Renders templates for one network, language, branch and topic (a `Context`)."""

    def __init__(
        self,
        rng: random.Random,
        book: dict[str, Any],
        people: People,
        aliases: dict[str, list[str]],
        accounts: dict[str, list[str]],
    ) -> None:
        self.rng = rng
        self.book = book
        self.people = people
        self.branch_info: dict[str, Any] = book["branches"]
        self.aliases = aliases
        self.accounts = accounts
        # Topic words a typo must not hide.
        self.protected = [fold(w) for words in book["keywords"].values() for w in words]

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
            raise KeyError(f"unknown slot {{{name}}} in tools/samplegen/templates.yml")
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
        other = self.rng.choice([p for p in self.people.personas[:300] if p.source == source])
        return f"u/{other.handle}" if source == "reddit" else f"@{other.handle}"

    def _library_mention(self, ctx: Context) -> str:
        handles = self.accounts.get(ctx.source)
        if not handles:
            return "la médiathèque" if ctx.lang == "fr" else "the library"
        return "@" + (handles[1] if ctx.branch == "stang" and len(handles) > 1 else handles[0])

    def _email(self, ctx: Context) -> str:
        user = self.people.username().replace("_", ".")
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
