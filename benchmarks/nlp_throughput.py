"""Throughput of the whole Murmure NLP stage against bare `fr_core_news_sm` on the same posts.

Not a test: prints mentions/s for one process and for two worker processes (one pipeline per
process, as two stream workers would run; loading is done before timing), and the ratio
stage / bare; then, on one process, the stage with its rule components alone (what the learned
heads cost). Usage:

    .venv/bin/python benchmarks/nlp_throughput.py [--posts N] [--data FILE.jsonl] [--profile P.yml]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import spacy

from config.profile import load_profile
from nlp.stage import Stage, build_stage

ROOT = Path(__file__).resolve().parents[1]


def _posts(path: Path, n: int) -> list[str]:
    texts = [
        json.loads(line)["text"]
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    return [texts[i % len(texts)] for i in range(n)]


def _rate(run: Callable[[], object], n: int) -> float:
    start = time.perf_counter()
    run()
    return n / (time.perf_counter() - start)


_worker: dict[str, Any] = {}


def _init(kind: str, profile: Path) -> None:
    if kind == "bare":
        nlp = spacy.load("fr_core_news_sm")
        _worker["run"] = lambda texts: len(list(nlp.pipe(texts, batch_size=256)))
    else:
        stage = build_stage(load_profile(profile))
        stage.analyse(["warm-up", "warm up"])
        _worker["run"] = lambda texts: len(stage.analyse(texts, batch_size=256))


def _run(texts: list[str]) -> int:
    return int(_worker["run"](texts))


def _two_processes(kind: str, profile: Path, texts: list[str]) -> float:
    chunks = [texts[i : i + 500] for i in range(0, len(texts), 500)]
    with multiprocessing.get_context("fork").Pool(2, _init, (kind, profile)) as pool:
        pool.map(_run, [["warm-up"]] * 2)  # both workers loaded before timing
        return _rate(lambda: pool.map(_run, chunks, chunksize=1), len(texts))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=6000)
    parser.add_argument("--data", type=Path, default=ROOT / "tests/data/nlp_heldout.jsonl")
    parser.add_argument("--profile", type=Path, default=ROOT / "tests/data/nlp_profile.yml")
    args = parser.parse_args()
    texts = _posts(args.data, args.posts)
    bare = spacy.load("fr_core_news_sm")
    stage = build_stage(load_profile(args.profile))
    stage.analyse(texts[:50])  # load both pipelines before timing
    bare_rates = {1: _rate(lambda: list(bare.pipe(texts, batch_size=256)), len(texts))}
    stage_rates = {1: _rate(lambda: stage.analyse(texts, batch_size=256), len(texts))}
    rules = Stage(profile=load_profile(args.profile), learned=False)
    rules.analyse(texts[:50])
    rules_rate = _rate(lambda: rules.analyse(texts, batch_size=256), len(texts))
    bare_rates[2] = _two_processes("bare", args.profile, texts)
    stage_rates[2] = _two_processes("stage", args.profile, texts)
    print(f"{len(texts)} posts ({args.data.name}), stage {stage.version}")
    print(f"{'processes':>9} {'bare fr_core_news_sm/s':>23} {'Murmure stage/s':>16} {'ratio':>6}")
    for n_process in (1, 2):
        ratio = stage_rates[n_process] / bare_rates[n_process]
        print(
            f"{n_process:>9} {bare_rates[n_process]:>23.0f} "
            f"{stage_rates[n_process]:>16.0f} {ratio:>6.2f}"
        )
    print(f"1 process, rule components alone: {rules_rate:.0f}/s (stage: {stage_rates[1]:.0f}/s)")


if __name__ == "__main__":
    main()
