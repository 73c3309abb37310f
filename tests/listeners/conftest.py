"""Shared pieces of the listener tests: a fake API per test, a profile, a context, a drain,
a stream reader."""

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import SecretStr, TypeAdapter

from config.profile import Profile
from config.sources import SourceConfig
from listeners.checkpoints import MemoryCheckpoints
from listeners.context import Context, Page
from listeners.runner import source_module
from tests.listeners.fakeapi import FakeApi

SAMPLES = Path(__file__).parents[2] / "samples"
KEY = SecretStr("listener-tests-key-0123456789")
FAST_RETRY = {
    "tries": 4,
    "backoff_seconds": 0.01,
    "max_backoff_seconds": 0.05,
    "max_wait_seconds": 10,
    "timeout_seconds": 5,
}


@pytest.fixture
def api() -> Iterator[FakeApi]:
    server = FakeApi()
    yield server
    server.close()


def make_profile(*sources: dict[str, Any]) -> Profile:
    data = yaml.safe_load((SAMPLES / "profile.yml").read_text(encoding="utf-8"))
    data["sources"] = [{"retry": FAST_RETRY} | source for source in sources]
    data["accounts"] += [
        {"source": "facebook", "handle": "Médiathèques de Kerbrient"},
        {"source": "instagram", "handle": "mediatheques_kerbrient"},
        {"source": "youtube", "handle": "UCkerbrient"},
        {"source": "reddit", "handle": "MediasKerbrient"},
        {"source": "google_reviews", "handle": "Médiathèques de Kerbrient"},
    ]
    return Profile.model_validate(data)


def source(data: dict[str, Any]) -> SourceConfig:
    adapter: TypeAdapter[SourceConfig] = TypeAdapter(SourceConfig)
    return adapter.validate_python({"retry": FAST_RETRY} | data)


def make_context(profile: Profile | None = None) -> Context:
    return Context(profile=profile or make_profile(), key=KEY)


def drain(config: SourceConfig, context: Context, store: MemoryCheckpoints) -> list[Page]:
    """Polls once, saving each page's checkpoint as the runner does once Kafka has the page."""
    pages = []
    poll = source_module(config).poll
    for page in poll(config, context, lambda query: store.get(config.id, query)):
        pages.append(page)
        if page.state is not None:
            store.save(config.id, page.query, page.state)
    return pages


def mentions(pages: list[Page]) -> list[Any]:
    return [m for page in pages for m in page.mentions]


def read_stream(
    pages: Iterator[Page],
    context: Context,
    until: Callable[[list[Page]], bool],
    *,
    on_page: Callable[[Page], None] = lambda page: None,
    timeout: float = 60,
) -> list[Page]:
    """Reads a stream in a thread, as the runner does, until `until(pages)` holds; then asks it
    to stop and checks that it ends. `timeout` only bounds a test that fails."""
    read: list[Page] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            for page in pages:
                read.append(page)
                on_page(page)
                if until(read):
                    context.stop.set()
        except BaseException as error:
            errors.append(error)

    reader = threading.Thread(target=run, daemon=True)
    reader.start()
    reader.join(timeout)
    context.stop.set()
    reader.join(10)
    assert not reader.is_alive(), "the stream did not end on the stop request"
    if errors:
        raise errors[0]
    return read
