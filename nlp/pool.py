"""The NLP stage in processes of its own, so the enrich worker's Kafka and JSON work runs on
another core while posts are tagged, instead of taking turns with spaCy under one GIL."""

from __future__ import annotations

import os
import signal
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context, parent_process
from typing import TYPE_CHECKING

from bus.records import describe_error

if TYPE_CHECKING:
    from config.profile import Profile
    from nlp.stage import Stage


@dataclass(frozen=True)
class Failed:
    """A text the stage could not tag; the others of its chunk are tagged."""

    reason: str


Tagged = list[str | Failed]  # per text, in order: the `Analysis` as JSON, or why it failed

_stage: Stage | None = None


def _exit_with_parent() -> None:
    """A worker killed with SIGKILL cannot stop its pool: the pool's processes notice instead."""
    parent = parent_process()
    if parent is not None:
        parent.join()
        os._exit(1)


def _load(profile: Profile) -> None:
    # The parent decides when to stop: it finishes its batch, which needs this process.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, name="exit-with-parent", daemon=True).start()
    from nlp.stage import build_stage  # spaCy loads here only, not in the parent

    global _stage
    _stage = build_stage(profile).load()


def _loaded() -> Stage:
    if _stage is None:
        raise RuntimeError("the NLP process was started without its stage")
    return _stage


def _stage_version() -> str:
    return _loaded().version


def _tag(texts: list[str]) -> Tagged:
    """Batches for speed; if a batch fails, text by text, so one bad post fails alone."""
    stage = _loaded()
    try:
        return [analysis.model_dump_json() for analysis in stage.analyse(texts)]
    except Exception:
        results: Tagged = []
        for text in texts:
            try:
                results.append(stage.analyse_one(text).model_dump_json())
            except Exception as error:
                results.append(Failed(describe_error(error)))
        return results


@dataclass
class NlpPool:
    executor: ProcessPoolExecutor
    processes: int
    version: str

    def tag(self, texts: list[str]) -> Future[Tagged]:
        return self.executor.submit(_tag, texts)

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


def start_pool(profile: Profile, processes: int) -> NlpPool:
    """Returns once the pipelines are loaded. Spawned, not forked: the parent runs Kafka threads."""
    executor = ProcessPoolExecutor(
        max_workers=processes,
        mp_context=get_context("spawn"),
        initializer=_load,
        initargs=(profile,),
    )
    try:
        version = executor.submit(_stage_version).result()
    except BaseException:
        executor.shutdown(cancel_futures=True)
        raise
    return NlpPool(executor=executor, processes=processes, version=version)
