"""The library's replies to questions and complaints on the networks where it has accounts:
questions answered within hours, complaints often a day or more later, some never."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from nlp.text import fold
from tools.samplegen.network import reply_address
from tools.samplegen.post import Post
from tools.samplegen.schedule import NOT_PATRONS, REPLY_DELAYS, REPLY_SEED_OFFSET, REPLY_SOURCES

if TYPE_CHECKING:
    from tools.samplegen.generator import Generator


def add_replies(generator: Generator) -> None:
    """Adds the replies to `generator`'s posts. A random generator of its own, so every other
    post stays as it was."""
    rng = random.Random(generator.seed + REPLY_SEED_OFFSET)
    end = generator.clock.utc(generator.weeks * 7, 0)
    for post in sorted(generator.posts, key=lambda p: (p.created_at, p.source, p.native_id)):
        label, lang = generator.labels[(post.source, post.native_id)]
        handles = generator.accounts.get(post.source)
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
        text = rng.choice(generator.book["replies"][kind][lang])
        _reply(generator, post, handles[0], text, at)


def _reply(generator: Generator, post: Post, handle: str, text: str, at: datetime) -> None:
    native, url = reply_address(post, handle)
    thread = None if post.source == "mastodon" else post.native_id  # a root post's id
    lang = generator.labels[(post.source, post.native_id)][1]
    generator.posts.append(
        Post(
            *(post.source, native, url, handle, text, at, 0, 0, 0, post.lang_hint),
            in_reply_to=post.native_id,
            thread=thread,
        )
    )
    generator.labels[(post.source, native)] = ("reply", lang)
