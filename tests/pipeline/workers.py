"""Running the real workers for tests: in a thread (fast) or as a `murmure` process (killable)."""

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from elasticsearch import Elasticsearch

from alerts.lag import start_at_end
from bus.commit import OffsetCommit
from bus.kafka import make_consumer, make_producer
from bus.topics import TopicKey
from bus.worker import Backoff, run_worker
from indexer.client import make_es_client
from indexer.layout import layout
from indexer.worker import IndexStage

PROFILE = Path(__file__).parents[2] / "samples" / "profile.yml"
FAST_RETRY = Backoff(first=0.2, factor=2.0, ceiling=2.0)


@contextmanager
def index_worker(group: str) -> Iterator[None]:
    stop = threading.Event()
    consumer = make_consumer(group, "enriched", max_poll_records=50)
    producer = make_producer()
    es = make_es_client(request_timeout=5, max_retries=0)
    thread = threading.Thread(
        target=run_worker,
        kwargs={
            "stage": IndexStage(es, consumer),
            "consumer": consumer,
            "commit": OffsetCommit(consumer, producer),
            "stop": stop,
            "batch_size": 50,
            "backoff": FAST_RETRY,
        },
        daemon=True,
    )
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=60)
        consumer.close()
        producer.close()
        es.close()


def new_group(reads: TopicKey) -> str:
    """A consumer group of the test's own, starting at the current end of `reads`: its workers
    process what the test sends, not the backlog the session's earlier tests left there."""
    name = f"test-{uuid.uuid4().hex[:8]}"
    start_at_end(name, reads)
    return name


def start_process(command: str, group: str, log: Path) -> subprocess.Popen[bytes]:
    env = os.environ | {"MURMURE_PROFILE": str(PROFILE)}
    with log.open("ab") as out:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "murmure",
                "--log-format",
                "json",
                command,
                "--group",
                group,
                "--metrics-port",
                "0",
                "--batch-size",
                "20",
                # enrich polls a chunk, then the rest of its batch while the NLP works
                *(["--chunk-size", "5"] if command == "enrich" else []),
            ],
            env=env,
            stdout=out,
            stderr=out,
        )


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with suppress(FileNotFoundError):  # a thread that ended meanwhile
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


def running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def stop_process(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> int:
    process.send_signal(sig)
    return process.wait(timeout=60)


def indexed(es: Elasticsearch, ids: list[str]) -> int:
    alias = layout().mentions.alias
    try:
        es.indices.refresh(index=alias)
        return int(es.count(index=alias, query={"ids": {"values": ids}})["count"])
    except Exception:
        return -1  # Elasticsearch down or the alias not there yet


def eventually(check: Callable[[], bool], timeout: float, what: str) -> None:
    """Polls `check`; `timeout` only bounds a test that fails, so it allows for a loaded machine."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.5)
    raise AssertionError(f"not within {timeout:.0f}s: {what}")
