"""What each network's posts look like: ids and links in the network's own shape, engagement,
and the language the network claims."""

import random
import re
from collections.abc import Callable
from datetime import datetime

from nlp.text import fold
from tools.samplegen.post import Post

TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
X_EPOCH_MS = 1_288_834_974_657


def base(number: int, alphabet: str, width: int = 0) -> str:
    digits = ""
    while number:
        number, rest = divmod(number, len(alphabet))
        digits = alphabet[rest] + digits
    return digits.rjust(width, alphabet[0]) or alphabet[0]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")[:60]


class Addresses:
    """Unique native ids and their links; every id ever given is remembered."""

    def __init__(self, rng: random.Random, subreddits: list[str]) -> None:
        self.rng = rng
        self.subreddits = subreddits
        self.ids: set[tuple[str, str]] = set()

    def unique(self, source: str, make: Callable[[], str]) -> str:
        while (native := make()) and (source, native) in self.ids:
            pass
        self.ids.add((source, native))
        return native

    def address(
        self, source: str, handle: str, at: datetime, did: str | None, title: str = ""
    ) -> tuple[str, str]:
        """(native id, link); `did`: a patron's Bluesky DID (None for the library's accounts)."""
        ms = int(at.timestamp() * 1000) + self.rng.randrange(1000)
        if source == "x":
            native = self.unique(
                "x", lambda: str(((ms - X_EPOCH_MS) << 22) | self.rng.getrandbits(22))
            )
            return native, f"https://x.com/{handle}/status/{native}"
        if source == "mastodon":
            native = self.unique("mastodon", lambda: str((ms << 16) | self.rng.getrandbits(16)))
            user, instance = handle.split("@")
            return native, f"https://{instance}/@{user}/{native}"
        if source == "bluesky":
            # The library's accounts get a stable made-up DID derived from the handle.
            if did is None:
                did = base(int.from_bytes(handle.encode()[:15], "big"), TID_ALPHABET, 24)[-24:]
            tid = self.unique(
                "bluesky-tid",
                lambda: base(
                    (ms * 1000 + self.rng.randrange(1000)) << 10 | self.rng.getrandbits(10),
                    TID_ALPHABET,
                    13,
                ),
            )
            native = f"at://did:plc:{did}/app.bsky.feed.post/{tid}"
            self.ids.add(("bluesky", native))
            return native, f"https://bsky.app/profile/{handle}/post/{tid}"
        if source == "reddit":
            sub = self.rng.choice(self.subreddits)
            counter = int(at.timestamp() // 7) + self.rng.randrange(7)

            def reddit_id() -> str:
                return base(counter * 36 + self.rng.randrange(36), BASE36, 7)

            if title:
                native = "t3_" + self.unique("reddit36", reddit_id)
                self.ids.add(("reddit", native))
                return (
                    native,
                    f"https://www.reddit.com/r/{sub}/comments/{native[3:]}/{slug(title)}/",
                )
            parent = base(counter * 36 - self.rng.randrange(36, 36 * 5000), BASE36, 7)
            native = "t1_" + self.unique("reddit36", reddit_id)
            self.ids.add(("reddit", native))
            return native, f"https://www.reddit.com/r/{sub}/comments/{parent}/comment/{native[3:]}/"
        raise ValueError(source)


def engagement(
    rng: random.Random, source: str, *, institution: bool, boost: float = 1.0
) -> tuple[int, int, int]:
    """(likes, shares, replies): a long tail, more for institutions and complaints."""
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


def lang_hint(rng: random.Random, source: str, lang: str) -> str | None:
    """What the network says the language is: often right, sometimes missing or wrong."""
    roll = rng.random()
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


def reply_address(post: Post, handle: str) -> tuple[str, str]:
    """A reply's native id and link, derived from the post it answers."""
    native = f"{post.native_id}1" if post.source != "bluesky" else f"{post.native_id}r"
    if post.source == "x":
        return native, f"https://x.com/{handle}/status/{native}"
    if post.source == "mastodon":
        user, host = handle.split("@", 1)
        return native, f"https://{host}/@{user}/{native}"
    return native, f"https://bsky.app/profile/{handle}/post/{native.rsplit('/', 1)[-1]}"
