"""Newest-first pagination made resumable: the checkpoint every source with pages shares.

Networks list results newest first, page by page, down to a mark (since_id, a time). A sweep
keeps the old mark until its last page, so a listener stopped mid-sweep (or by `max_pages`)
goes on from the page token next time instead of jumping to the newest item and leaving a gap.

Checkpoint: {"mark": …} between sweeps; {"mark", "token", "newest"} during one. A network that
refuses a mark (too old) lets the source replace it for the rest of the sweep (`Batch.mark`).
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from listeners.checkpoints import State
from listeners.context import Page, read_items
from schemas import RawMention


@dataclass(frozen=True)
class Batch:
    """One page as the source read it."""

    mentions: list[RawMention]
    fetched: int
    malformed: int
    next_token: str | None
    newest: str | None  # newest mark among the page's items
    reached_mark: bool = False  # the page went past the mark: the sweep is complete
    mark: str | None = None  # replaces the sweep's mark, which the network refused


Fetch = Callable[[str | None, str | None], Batch]  # (mark, page token) -> page


def down_to_mark(
    items: list[Any],
    mark: str | None,
    *,
    key: Callable[[Any], str | None],
    make: Callable[[Any], RawMention | list[RawMention] | None],
    where: str,
    next_token: str | None,
) -> Batch:
    """A newest-first page cut at the mark, for sources whose marks sort as text (times).

    Only the items past the mark are read, and only they can move the mark on."""
    fresh = [item for item in items if mark is None or (key(item) or "") > mark]
    mentions, malformed = read_items(fresh, make, where=where)
    keys = [k for k in map(key, fresh) if k]
    return Batch(
        mentions,
        len(fresh),
        malformed,
        next_token,
        max(keys) if keys else None,
        reached_mark=len(fresh) < len(items),
    )


def sweep(
    *,
    query: str,
    state: State | None,
    fetch: Fetch,
    max_pages: int,
    order: Callable[[str], object] = str,
) -> Iterator[Page]:
    state = state or {}
    mark: str | None = state.get("mark")
    token: str | None = state.get("token")
    newest: str | None = state.get("newest")
    for _ in range(max_pages):
        batch = fetch(mark, token)
        mark = batch.mark or mark
        newest = _newer(newest, batch.newest, order)
        token = None if batch.reached_mark else batch.next_token
        if token:
            next_state: State = {"mark": mark, "token": token, "newest": newest}
        else:
            next_state = {"mark": newest or mark}
        yield Page(query, batch.mentions, batch.fetched, batch.malformed, next_state)
        if not token:
            return


def _newer(a: str | None, b: str | None, order: Callable[[str], object]) -> str | None:
    if a is None or b is None:
        return a or b
    return b if order(b) > order(a) else a  # type: ignore[operator]


def numeric(value: str) -> int:
    """Order of snowflake ids (X, Mastodon), which are numbers written as strings."""
    return int(value)
