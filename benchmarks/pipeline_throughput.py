"""End-to-end speed of the running pipeline: Kafka → enrich → Kafka → index → searchable.

Not a test. In one run, on the same posts (the sample stream's texts), it measures:
1. the NLP stage alone, in this process, on N posts (the baseline);
2. sustained throughput: the real `murmure enrich` and `murmure index` worker processes drain
   a backlog of N mentions. The rate counts mentions made searchable between 10 % and 90 % of
   N, so the backlog's start and its last refresh are left out;
   the ratio of (2) to (1), measured back to back in each of K rounds: the speed of a shared
   host drifts by tens of percent within minutes, so the median of the rounds' ratios is given;
3. latency at a steady rate (default 100 mentions/s): produce time to the moment a search first
   returns the mention, p50 and p95.
Uses its own topic prefix, so it never mixes with other data. Usage:

    .venv/bin/python benchmarks/pipeline_throughput.py [--mentions N] [--rounds K]
        [--rate R] [--seconds S]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROFILE = ROOT / "samples" / "profile.yml"
os.environ["MURMURE_TOPIC_PREFIX"] = f"bench-{uuid.uuid4().hex[:8]}."

from elasticsearch import Elasticsearch, NotFoundError  # noqa: E402

from bus.kafka import ensure_topics, make_producer  # noqa: E402
from config.profile import load_profile  # noqa: E402
from indexer.client import make_client  # noqa: E402
from indexer.layout import layout  # noqa: E402
from indexer.setup import ensure_templates  # noqa: E402
from listeners.publish import publish  # noqa: E402
from nlp.stage import Stage, build_stage  # noqa: E402
from schemas import RawMention  # noqa: E402
from services.stack import up  # noqa: E402


def sample_texts() -> list[str]:
    lines = (ROOT / "samples" / "stream.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["text"] for line in lines if line.strip()]


def mentions(texts: list[str], n: int, run: str) -> list[RawMention]:
    now = datetime.now(UTC)
    return [
        RawMention(
            source="bench",
            native_id=f"{run}-{i}",
            author={"pseudonym": "p_bench"},  # type: ignore[arg-type]
            text=texts[i % len(texts)],
            query=run,  # lets the watcher ask only for this run's documents
            created_at=now,
            fetched_at=now,
        )
        for i in range(n)
    ]


def nlp_alone(stage: Stage, texts: list[str], n: int) -> float:
    batch = [texts[i % len(texts)] for i in range(n)]
    start = time.perf_counter()
    stage.analyse(batch)
    return n / (time.perf_counter() - start)


def start_workers() -> list[subprocess.Popen[bytes]]:
    env = os.environ | {"MURMURE_PROFILE": str(PROFILE)}
    group = os.environ["MURMURE_TOPIC_PREFIX"]
    return [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "murmure",
                "--log-level",
                "WARNING",
                command,
                "--group",
                f"{group}{command}",
                "--metrics-port",
                "0",
            ],
            env=env,
        )
        for command in ("enrich", "index")
    ]


class Watcher:
    """Polls Elasticsearch (no forced refresh) and notes when each mention is first found.

    Asks only for this run's documents indexed in the last seconds, so watching stays cheap
    next to the pipeline it measures.
    """

    def __init__(self, run: str, ids: list[str]) -> None:
        self.run = run
        self.pending = set(ids)
        self.seen: dict[str, float] = {}
        self.es = make_client()
        self.alias = layout().mentions.alias
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _poll(self, since: str) -> list[dict[str, object]]:
        query = {
            "bool": {
                "filter": [
                    {"term": {"query": self.run}},
                    {"range": {"indexed_at": {"gte": since}}},
                ]
            }
        }
        try:
            hits = self.es.search(index=self.alias, query=query, size=10_000, source=False)
            return list(hits["hits"]["hits"])
        except Exception:
            return []  # alias not there yet

    def _run(self) -> None:
        while self.pending and not self.stop.is_set():
            since = datetime.fromtimestamp(time.time() - 10, UTC).isoformat()
            found = self._poll(since)
            now = time.perf_counter()
            for hit in found:
                if hit["_id"] in self.pending:
                    self.pending.discard(str(hit["_id"]))
                    self.seen[str(hit["_id"])] = now
            time.sleep(0.1)


def searchable(es: Elasticsearch, run: str) -> int:
    try:
        return int(es.count(index=layout().mentions.alias, query={"term": {"query": run}})["count"])
    except NotFoundError:
        return 0  # no document indexed yet: the alias does not exist


def drain(texts: list[str], n: int) -> tuple[float, float]:
    """Produces a backlog of n mentions, watches it drain with cheap counts.

    Returns the rate between 10 % and 90 % searchable, and the seconds from first to last."""
    run = "sustained-" + uuid.uuid4().hex[:6]
    publish(make_producer(), mentions(texts, n, run))
    es = make_client()
    marks: dict[float, tuple[float, int]] = {}
    first: float | None = None
    deadline = time.perf_counter() + 900
    count = 0
    while count < n:
        if time.perf_counter() > deadline:
            raise SystemExit(f"{n - count} mentions never became searchable")
        count = searchable(es, run)
        now = time.perf_counter()
        if count and first is None:
            first = now
        for share in (0.1, 0.9):
            if count >= share * n and share not in marks:
                marks[share] = (now, count)
        time.sleep(0.2)
    (t10, c10), (t90, c90) = marks[0.1], marks[0.9]
    assert first is not None
    return (c90 - c10) / (t90 - t10), time.perf_counter() - first


def latency(texts: list[str], rate: float, seconds: float) -> list[float]:
    n = int(rate * seconds)
    run = "latency-" + uuid.uuid4().hex[:6]
    batch = mentions(texts, n, run)
    watcher = Watcher(run, [m.id for m in batch])
    watcher.thread.start()
    producer = make_producer(linger_ms=0)
    sent: dict[str, float] = {}
    start = time.perf_counter()
    for i, mention in enumerate(batch):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        producer.send(
            os.environ["MURMURE_TOPIC_PREFIX"] + "mentions.raw",
            key=mention.id.encode(),
            value=mention.model_dump_json().encode(),
        )
        sent[mention.id] = time.perf_counter()
    producer.flush()
    watcher.thread.join(120)
    watcher.stop.set()
    if watcher.pending:
        raise SystemExit(f"{len(watcher.pending)} mentions never became searchable")
    return [watcher.seen[i] - sent[i] for i in sent]


def report(label: str, figures: list[float], form: str, unit: str) -> None:
    each = ", ".join(form.format(f) for f in figures)
    print(f"{label:<34}{form.format(statistics.median(figures)):>6} {unit}  (rounds: {each})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=4000, help="per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()

    up()
    ensure_topics()
    ensure_templates(make_client())
    texts = sample_texts()
    stage = build_stage(load_profile(PROFILE)).load()
    workers = start_workers()
    try:
        # Untimed: both sides see the posts once, so both run with warm caches.
        stage.analyse(texts)
        drain(texts, len(texts))
        # The host's speed drifts within minutes: each round times both sides back to back.
        baseline: list[float] = []
        throughput: list[float] = []
        drained: list[float] = []
        for _ in range(args.rounds):
            baseline.append(nlp_alone(stage, texts, args.mentions))
            rate, seconds = drain(texts, args.mentions)
            throughput.append(rate)
            drained.append(seconds)
        delays = latency(texts, args.rate, args.seconds)
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=60)
    p50 = statistics.median(delays)
    p95 = statistics.quantiles(delays, n=20)[-1]
    ratios = [t / b for t, b in zip(throughput, baseline, strict=True)]
    report("NLP stage alone (1 process):", baseline, "{:.0f}", "mentions/s")
    report("pipeline end to end (sustained):", throughput, "{:.0f}", "mentions/s")
    report(f"  all {args.mentions} searchable in:", drained, "{:.1f}", "s")
    report("ratio end to end / NLP stage:", ratios, "{:.2f}", "(target >= 0.8)")
    print(
        f"latency at {args.rate:.0f}/s, produce to searchable: p50 {p50:.2f} s, "
        f"p95 {p95:.2f} s  (target p95 < 2 s)"
    )


if __name__ == "__main__":
    main()
