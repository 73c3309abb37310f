"""End-to-end speed of the running pipeline: Kafka → enrich → Kafka → index → searchable.

Not a test. In one run, on the same posts (the sample stream's texts), it measures:
1. the NLP stage alone, in this process, on N posts (the baseline);
2. sustained throughput: the real `murmure enrich` and `murmure index` worker processes drain
   a backlog of N mentions. The rate counts mentions made searchable between 10 % and 90 % of
   N, so the backlog's start and its last refresh are left out;
   the ratio of (2) to (1), measured back to back in each of K rounds: the speed of a shared
   host drifts by tens of percent within minutes, so the median of the rounds' ratios is given;
3. latency at a steady rate (default 100 mentions/s): produce time to the moment a search first
   returns the mention, p50 and p95;
4. alert delay, with the real `murmure alerts` process added and a real local SMTP server: for
   the posts a rule alerts on (one post in fifty carries a word the rule looks for), the time
   from the post entering `mentions.raw` to its notice on the `alerts` topic and to its e-mail
   being handed to SMTP, p50 and p95, at a steady rate (default 50/s for 60 s) and while a
   backlog of 10,000 mentions drains.
Uses its own topic prefix, so it never mixes with other data. Usage:

    .venv/bin/python benchmarks/pipeline_throughput.py [--mentions N] [--rounds K]
        [--rate R] [--seconds S] [--alert-rate R] [--alert-seconds S] [--backlog N]
        [--only-alerts]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from email.parser import BytesParser
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PROFILE = ROOT / "samples" / "profile.yml"
os.environ["MURMURE_TOPIC_PREFIX"] = f"bench-{uuid.uuid4().hex[:8]}."
os.environ.setdefault("MURMURE_INDEX_PREFIX", "bench-")  # staff's searches never see it

import yaml  # noqa: E402
from aiosmtpd.controller import Controller  # noqa: E402
from elasticsearch import Elasticsearch, NotFoundError  # noqa: E402
from kafka import KafkaConsumer  # noqa: E402

from bus.kafka import ensure_topics, make_producer  # noqa: E402
from config.profile import load_profile  # noqa: E402
from config.settings import get_settings  # noqa: E402
from indexer.client import make_es_client  # noqa: E402
from indexer.layout import layout  # noqa: E402
from indexer.setup import ensure_templates  # noqa: E402
from listeners.publish import publish  # noqa: E402
from nlp.stage import Stage, build_stage  # noqa: E402
from schemas import RawMention  # noqa: E402
from schemas.alert import Alert  # noqa: E402
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
        self.es = make_es_client()
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
    es = make_es_client()
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


def produce(batch: list[RawMention], rate: float | None) -> dict[str, float]:
    """Sends the mentions to `mentions.raw` at `rate` per second (None: all at once); returns
    when each was sent."""
    producer = make_producer(linger_ms=0 if rate else 5)
    sent: dict[str, float] = {}
    start = time.perf_counter()
    for i, mention in enumerate(batch):
        if rate is not None and (delay := start + i / rate - time.perf_counter()) > 0:
            time.sleep(delay)
        producer.send(
            os.environ["MURMURE_TOPIC_PREFIX"] + "mentions.raw",
            key=mention.id.encode(),
            value=mention.model_dump_json().encode(),
        )
        sent[mention.id] = time.perf_counter()
    producer.flush()
    return sent


def latency(texts: list[str], rate: float, seconds: float) -> list[float]:
    n = int(rate * seconds)
    run = "latency-" + uuid.uuid4().hex[:6]
    batch = mentions(texts, n, run)
    watcher = Watcher(run, [m.id for m in batch])
    watcher.thread.start()
    sent = produce(batch, rate)
    watcher.thread.join(120)
    watcher.stop.set()
    if watcher.pending:
        raise SystemExit(f"{len(watcher.pending)} mentions never became searchable")
    return [watcher.seen[i] - sent[i] for i in sent]


MARK = "alertebench"  # the word the benchmark's rule alerts on
MARKED_EVERY = 50


def alert_profile(directory: Path, smtp_port: int) -> Path:
    """The sample profile with one rule, alerting on every post carrying MARK, by e-mail."""
    data = yaml.safe_load(PROFILE.read_text(encoding="utf-8"))
    data["sources"] = [source for source in data["sources"] if source["type"] != "replay"]
    data["alerts"]["channels"] = [
        {"id": "bench", "type": "email", "to": ["bench@murmure.example"], "language": "en"}
    ]
    data["alerts"]["unanswered"] = []  # the sample's reminders name a channel replaced here
    data["alerts"]["rules"] = [
        {
            "id": "bench-each",
            "filter": {"keywords": [MARK], "institutions": True},
            "condition": {"type": "each"},
            "group_by": [],
            "update_growth": 1.0,  # a notice for every post
            "cooldown": "1d",
            "channels": ["bench"],
        }
    ]
    path = directory / "profile.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    os.environ |= {
        "MURMURE_SMTP_HOST": "127.0.0.1",
        "MURMURE_SMTP_PORT": str(smtp_port),
        "MURMURE_SMTP_FROM": "murmure@murmure.example",
    }
    return path


class AlertWatch:
    """When each notice reaches the `alerts` topic and when its e-mail reaches SMTP.

    A notice is keyed `id#sequence`, as its e-mail's X-Murmure-Alert header; with one notice
    per post, the newest post it carries is the post that raised it."""

    def __init__(self) -> None:
        self.on_topic: dict[str, tuple[str, float]] = {}  # notice → (mention id, when)
        self.mailed: dict[str, float] = {}
        self.stop = threading.Event()
        self.consumer = KafkaConsumer(
            os.environ["MURMURE_TOPIC_PREFIX"] + "alerts",
            bootstrap_servers=get_settings().kafka_bootstrap,
            isolation_level="read_committed",
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.smtp = Controller(self, hostname="127.0.0.1", port=_free_port())

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        headers = BytesParser().parsebytes(envelope.original_content, headersonly=True)
        self.mailed.setdefault(str(headers["X-Murmure-Alert"]), time.perf_counter())
        return "250 OK"

    def _run(self) -> None:
        while not self.stop.is_set():
            for records in self.consumer.poll(timeout_ms=200).values():
                now = time.perf_counter()
                for record in records:
                    notice = Alert.model_validate_json(record.value)
                    key = f"{notice.id}#{notice.sequence}"
                    if notice.mentions and key not in self.on_topic:
                        self.on_topic[key] = (notice.mentions[-1].id, now)

    def delays(self, sent: dict[str, float]) -> tuple[list[float], list[float]]:
        """Seconds from produce to the notice, and to its e-mail, of each alerted post."""
        to_topic, to_smtp = [], []
        for key, (mention_id, seen) in self.on_topic.items():
            if mention_id in sent:
                to_topic.append(seen - sent[mention_id])
                if key in self.mailed:
                    to_smtp.append(self.mailed[key] - sent[mention_id])
        return to_topic, to_smtp


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_alerts(profile: Path) -> subprocess.Popen[bytes]:
    prefix = os.environ["MURMURE_TOPIC_PREFIX"]
    command = [sys.executable, "-m", "murmure", "--log-level", "WARNING", "alerts"]
    return subprocess.Popen(
        [
            *command,
            *("--profile", str(profile), "--group", f"{prefix}alerts"),
            *("--upstream-group", f"{prefix}enrich", "--metrics-port", "0"),
        ],
        env=os.environ | {"MURMURE_PROFILE": str(profile)},
    )


def marked(texts: list[str], n: int, run: str) -> list[RawMention]:
    """n mentions, one in MARKED_EVERY carrying MARK, each stamped when it is made."""
    batch = []
    for i in range(n):
        now = datetime.now(UTC)
        text = texts[i % len(texts)]
        batch.append(
            RawMention(
                source="bench",
                native_id=f"{run}-{i}",
                author={"pseudonym": "p_bench"},  # type: ignore[arg-type]
                text=f"{text} {MARK}" if i % MARKED_EVERY == 0 else text,
                query=run,
                created_at=now,
                fetched_at=now,
            )
        )
    return batch


def alert_delays(
    watch: AlertWatch, texts: list[str], n: int, rate: float | None
) -> tuple[list[float], list[float]]:
    """Produces n mentions at `rate` per second (None: all at once, a backlog) and waits for
    the notices and e-mails of the marked ones."""
    run = "alerts-" + uuid.uuid4().hex[:6]
    batch = marked(texts, n, run)
    sent = produce(batch, rate)
    expected = len(range(0, n, MARKED_EVERY))
    deadline = time.perf_counter() + 600
    while time.perf_counter() < deadline:
        to_topic, to_smtp = watch.delays(sent)
        if len(to_smtp) >= expected:
            return to_topic, to_smtp
        time.sleep(0.5)
    raise SystemExit(f"only {len(to_smtp)} of {expected} alerts mailed within 600 s")


def percentiles(delays: list[float]) -> str:
    p95 = statistics.quantiles(delays, n=20)[-1] if len(delays) > 1 else delays[0]
    return f"p50 {statistics.median(delays):6.2f} s, p95 {p95:6.2f} s  ({len(delays)} alerts)"


def alerts_phase(texts: list[str], rate: float, seconds: float, backlog: int) -> None:
    watch = AlertWatch()
    watch.smtp.start()
    watch.thread.start()
    with tempfile.TemporaryDirectory() as directory:
        alerts = start_alerts(alert_profile(Path(directory), watch.smtp.port))
        try:
            # Untimed: the first notice waits for the worker to start and restore its state.
            alert_delays(watch, texts, MARKED_EVERY, 5.0)
            steady = alert_delays(watch, texts, int(rate * seconds), rate)
            drained = alert_delays(watch, texts, backlog, None)
        finally:
            alerts.send_signal(signal.SIGTERM)
            alerts.wait(timeout=120)
            watch.stop.set()
            watch.thread.join(10)
            watch.smtp.stop()
    print("(goal for the alert delays: p95 < 60 s)")
    for label, (to_topic, to_smtp) in (
        (f"steady {rate:.0f}/s", steady),
        (f"backlog of {backlog}", drained),
    ):
        print(f"alert delay, {label}, post to `alerts` topic: {percentiles(to_topic)}")
        print(f"alert delay, {label}, post to SMTP:           {percentiles(to_smtp)}")


def report(label: str, figures: list[float], form: str, unit: str) -> None:
    each = ", ".join(form.format(f) for f in figures)
    print(f"{label:<34}{form.format(statistics.median(figures)):>6} {unit}  (rounds: {each})")


def stop(workers: list[subprocess.Popen[bytes]]) -> None:
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
    for worker in workers:
        worker.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=4000, help="per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--alert-rate", type=float, default=50.0)
    parser.add_argument("--alert-seconds", type=float, default=60.0)
    parser.add_argument("--backlog", type=int, default=10_000)
    parser.add_argument("--only-alerts", action="store_true", help="skip 1-3")
    args = parser.parse_args()

    up()
    ensure_topics()
    ensure_templates(make_es_client())
    texts = sample_texts()
    stage = build_stage(load_profile(PROFILE)).load()
    workers = start_workers()
    if args.only_alerts:
        try:
            alerts_phase(texts, args.alert_rate, args.alert_seconds, args.backlog)
        finally:
            stop(workers)
        return
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
        alerts_phase(texts, args.alert_rate, args.alert_seconds, args.backlog)
    finally:
        stop(workers)
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
