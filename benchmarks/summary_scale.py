"""Cost of `murmure summary` and `murmure alerts test-rule` against the size of the corpus.

Not a test. Seeds two corpora of eight weeks into the local Elasticsearch, a small one (default
10,000 mentions, in 2041) and a large one (default 1,000,000, in 2042), then times, in rounds
that alternate the two so the host's drift hits both alike:
1. `murmure summary` of the last week (the whole command: start, aggregations, charts, report);
2. `murmure alerts test-rule` over the eight weeks, with its peak memory (RSS).
It prints each time, the median and the ratio large / small measured within the same run.

The mentions are the sample network's posts through the real NLP stage and `to_document`,
spread at random over the weeks under new ids, with a long tail of rarer words added to their
lemmas (Zipf over 20,000 words), so the term aggregations face a realistic vocabulary. Seeding
uses parallel bulk requests with refresh off. Usage:

    .venv/bin/python benchmarks/summary_scale.py [--small N] [--large N] [--rounds K]
        [--rule RULE] [--keep] [--reuse] [--no-replay]
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PROFILE = ROOT / "samples" / "profile.yml"
os.environ.setdefault("MURMURE_PSEUDONYM_KEY", "benchmark-" + uuid.uuid4().hex)
os.environ.setdefault("MURMURE_INDEX_PREFIX", "bench-")  # staff's searches never see it

from elasticsearch import Elasticsearch  # noqa: E402
from rich.progress import (  # noqa: E402
    MofNCompleteColumn,
    Progress,
    TimeElapsedColumn,
)

from config.profile import load_profile  # noqa: E402
from indexer.client import make_es_client  # noqa: E402
from indexer.document import lemma_terms, to_document  # noqa: E402
from indexer.layout import layout  # noqa: E402
from indexer.setup import ensure_templates  # noqa: E402
from listeners.pseudonym import load_key  # noqa: E402
from listeners.replay import BadLine, replay  # noqa: E402
from schemas import EnrichedMention  # noqa: E402
from services.stack import up  # noqa: E402
from summaries.weeks import Week  # noqa: E402

WEEKS = 8
TAIL_WORDS = 20_000
BULK = 2000  # documents per `_bulk` request


def templates() -> list[dict[str, Any]]:
    """The sample stream's mentions, enriched by the real NLP stage, as indexed documents."""
    from nlp.stage import build_stage

    profile = load_profile(PROFILE)
    raws = [
        item
        for item in replay(ROOT / "samples" / "stream.jsonl", profile=profile, key=load_key())
        if not isinstance(item, BadLine)
    ]
    analyses = build_stage(profile).analyse([raw.text for raw in raws])
    now = datetime.now(UTC)
    return [
        to_document(
            EnrichedMention.from_raw(raw, analysis, pipeline_version="bench", processed_at=now),
            indexed_at=now,
        )
        for raw, analysis in zip(raws, analyses, strict=True)
    ]


_base: list[dict[str, Any]] = []


def _load(base: list[dict[str, Any]]) -> None:
    _base[:] = base


def chunk(job: tuple[int, int, int, Week]) -> bytes:
    """One `_bulk` body: `size` documents numbered from `first_number`, spread at random over
    the eight weeks from `first` (UTC), the same for the same job. Runs in a worker process."""
    first_number, size, seed, first = job
    rng = random.Random(seed * 1_000_003 + first_number)
    start = datetime.combine(first.monday, datetime.min.time(), tzinfo=UTC)
    index_for = layout().mentions.index_for
    lines = []
    for number in range(first_number, first_number + size):
        doc = dict(rng.choice(_base))
        created = start + timedelta(seconds=rng.random() * WEEKS * 7 * 24 * 3600)
        extra = rng.choices(_TAIL, cum_weights=_WEIGHTS, k=rng.randint(0, 3))
        doc["lemmas"] = " ".join([doc["lemmas"], *extra])
        doc["lemma_terms"] = sorted(set(lemma_terms(doc["lemmas"])))
        doc["native_id"] = f"scale-{seed}-{number}"
        doc["id"] = f"{doc['source']}:{doc['native_id']}"
        doc["created_at"] = doc["fetched_at"] = doc["processed_at"] = created.isoformat()
        action = {"index": {"_index": index_for(created), "_id": doc["id"]}}
        lines += [json.dumps(action), json.dumps(doc, ensure_ascii=False)]
    return ("\n".join(lines) + "\n").encode()


_TAIL = [f"mot{n}" for n in range(TAIL_WORDS)]
_WEIGHTS = list(itertools.accumulate(1 / (rank + 1) ** 1.1 for rank in range(TAIL_WORDS)))


def months(first: Week) -> list[str]:
    start = datetime.combine(first.monday, datetime.min.time(), tzinfo=UTC)
    days = (start + timedelta(days=d) for d in range(WEEKS * 7 + 1))
    return sorted({layout().mentions.index_for(day) for day in days})


def seeded(es: Elasticsearch, first: Week) -> int:
    names = ",".join(months(first))
    try:
        return int(es.count(index=names, ignore_unavailable=True)["count"])
    except Exception:
        return 0


def seed(es: Elasticsearch, base: list[dict[str, Any]], n: int, first: Week) -> float:
    """Returns the documents indexed per second. Two processes build the bulk bodies, two
    threads send them: Elasticsearch, not the client, sets the pace."""
    names = months(first)
    es.indices.delete(index=",".join(names), ignore_unavailable=True)
    for name in names:  # the template gives shards, replicas and mappings
        es.indices.create(index=name, settings={"refresh_interval": "-1"})
    jobs = [(start, min(BULK, n - start), n, first) for start in range(0, n, BULK)]
    started = time.perf_counter()
    columns = (*Progress.get_default_columns(), MofNCompleteColumn(), TimeElapsedColumn())
    with (
        Progress(*columns) as progress,
        multiprocessing.get_context("fork").Pool(2, _load, (base,)) as pool,
        ThreadPoolExecutor(2) as senders,
    ):
        task = progress.add_task(f"seeding {n:,} mentions", total=n)

        in_flight = threading.BoundedSemaphore(4)  # bodies built ahead of Elasticsearch

        def send(body: bytes, size: int) -> None:
            try:
                response = es.bulk(operations=body)  # type: ignore[arg-type]
            finally:
                in_flight.release()
            if response["errors"]:
                refused = next(i for i in response["items"] if i["index"].get("error"))
                raise SystemExit(f"seeding refused a document: {refused}")
            progress.advance(task, size)

        pending = []
        for body, job in zip(pool.imap(chunk, jobs), jobs, strict=True):
            in_flight.acquire()
            pending.append(senders.submit(send, body, job[1]))
        for future in pending:
            future.result()
    rate = n / (time.perf_counter() - started)
    es.indices.put_settings(index=",".join(names), settings={"refresh_interval": None})
    es.indices.refresh(index=",".join(names))
    return rate


def timed(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of a `murmure` command run as a process of its own."""
    env = os.environ | {"MURMURE_PROFILE": str(PROFILE)}
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "murmure", *command],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            err.seek(0)
            raise SystemExit(f"{' '.join(command)} failed:\n{err.read().decode()[-3000:]}")
    return seconds, usage.ru_maxrss / 1024


def line(label: str, figures: list[float], unit: str) -> str:
    each = ", ".join(f"{f:.2f}" for f in figures)
    return f"{label:<40}{statistics.median(figures):>8.2f} {unit}  (rounds: {each})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rule", default="pic-de-plaintes", help="rule replayed by test-rule")
    parser.add_argument("--keep", action="store_true", help="keep the corpora afterwards")
    parser.add_argument("--reuse", action="store_true", help="reuse corpora already seeded")
    parser.add_argument("--no-replay", action="store_true", help="time the summary only")
    args = parser.parse_args()

    up()
    es = make_es_client(request_timeout=300)
    ensure_templates(es)
    corpora = {"small": (args.small, Week(2041, 10)), "large": (args.large, Week(2042, 10))}
    base: list[dict[str, Any]] | None = None
    for label, (n, first) in corpora.items():
        if args.reuse and seeded(es, first) == n:
            print(f"{label}: {n:,} mentions already seeded")
            continue
        base = base or templates()
        rate = seed(es, base, n, first)
        print(f"{label}: seeded {n:,} mentions at {rate:,.0f}/s")

    summary: dict[str, list[float]] = {"small": [], "large": []}
    replay_s: dict[str, list[float]] = {"small": [], "large": []}
    replay_mb: dict[str, list[float]] = {"small": [], "large": []}
    with tempfile.TemporaryDirectory() as out:

        def summarise(first: Week) -> float:
            week = str(first.shift(WEEKS - 1))
            command = ["summary", "--week", week, "--out", f"{out}/{week}.html", "--lang", "en"]
            return timed(command)[0]

        for _, first in corpora.values():  # untimed: both corpora warm in the caches
            summarise(first)
        for _ in range(args.rounds):
            for label, (_, first) in corpora.items():
                summary[label].append(summarise(first))
        for _ in range(0 if args.no_replay else max(1, args.rounds - 1)):
            for label, (_, first) in corpora.items():
                end = datetime.combine(first.shift(WEEKS).monday, datetime.min.time(), UTC)
                seconds, peak = timed(
                    [
                        "alerts",
                        "test-rule",
                        args.rule,
                        "--since",
                        f"{WEEKS}w",
                        "--until",
                        end.isoformat(),
                    ]
                )
                replay_s[label].append(seconds)
                replay_mb[label].append(peak)
    if not args.keep:
        for _, first in corpora.values():
            es.indices.delete(index=",".join(months(first)), ignore_unavailable=True)

    small, large = f"{args.small:,}", f"{args.large:,}"
    ratio = [b / a for a, b in zip(summary["small"], summary["large"], strict=True)]
    print(line(f"murmure summary, {small} mentions:", summary["small"], "s"))
    print(line(f"murmure summary, {large} mentions:", summary["large"], "s"))
    print(line("  ratio large / small:", ratio, "(target <= 2; large < 5 s)"))
    for label, n in (("small", args.small), ("large", args.large)):
        if args.no_replay:
            break
        rates = [n / s for s in replay_s[label]]
        print(line(f"test-rule over {WEEKS} weeks, {n:,}:", replay_s[label], "s"))
        print(line("  mentions replayed per second:", rates, "/s"))
        print(line("  peak memory (RSS):", replay_mb[label], "MB"))


if __name__ == "__main__":
    main()
