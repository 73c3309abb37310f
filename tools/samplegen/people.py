"""The fake patrons: who posts, on which network, in which language, how often."""

import random
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from nlp.text import fold
from tools.samplegen.network import TID_ALPHABET, base
from tools.samplegen.schedule import SOURCE_WEIGHTS, SOURCES


@dataclass(frozen=True)
class Persona:
    """A fake patron: one network, one language, a home branch, and how chatty they are."""

    source: str
    handle: str
    lang: str
    home: str
    activity: float
    did: str = ""


class People:
    def __init__(
        self,
        rng: random.Random,
        names: dict[str, Any],
        branch_weights: dict[str, float],
        count: int,
    ) -> None:
        self.rng = rng
        self.names = names
        self.personas = self._personas(branch_weights, count)
        self.weights = list(accumulate(p.activity for p in self.personas))

    def _personas(self, branch_weights: dict[str, float], count: int) -> list[Persona]:
        names = self.names
        people: list[Persona] = []
        taken: set[str] = set()
        while len(people) < count:
            source = self.rng.choices(SOURCES, SOURCE_WEIGHTS)[0]
            home = self.rng.choices(list(branch_weights), list(branch_weights.values()))[0]
            en_share = {"stang": 0.34, "centrale": 0.14}.get(home, 0.06)
            if source in ("bluesky", "reddit"):
                en_share *= 1.4
            lang = "en" if self.rng.random() < en_share else "fr"
            user = self.username()
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
            did = base(self.rng.getrandbits(120), TID_ALPHABET, 24)[:24]
            people.append(Persona(source, handle, lang, home, activity, did))
        return people

    def username(self) -> str:
        names = self.names
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

    def pick(self, *, home: str | None = None, lang: str | None = None) -> Persona:
        """An active patron (the chatty ones more often), from `home` and in `lang` if given."""
        for _ in range(200):
            persona = self.rng.choices(self.personas, cum_weights=self.weights)[0]
            if (home is None or persona.home == home) and (lang is None or persona.lang == lang):
                return persona
        return persona
