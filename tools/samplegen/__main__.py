"""`python -m tools.samplegen`: rewrite the sample stream, or print its counts."""

import argparse
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import tools.samplegen
from tools.samplegen import write
from tools.samplegen.generator import ROOT, Generator
from tools.samplegen.schedule import DEFAULT_SEED, DEFAULT_START, DEFAULT_WEEKS
from tools.samplegen.truth import stats

DEFAULT_OUT = ROOT / "samples" / "stream.jsonl"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m tools.samplegen",
        description=tools.samplegen.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="the stream; incidents.json is written next to it",
    )
    parser.add_argument(
        "--start",
        type=date.fromisoformat,
        default=DEFAULT_START,
        help="a Monday, first day of the first ISO week",
    )
    parser.add_argument("--weeks", type=int, default=DEFAULT_WEEKS)
    parser.add_argument("--stats", action="store_true", help="print counts instead of writing")
    args = parser.parse_args(argv)
    if args.stats:
        generator = Generator(args.seed, args.start, args.weeks)
        generator.run()
        for name, counts in stats(generator).items():
            print(name, dict(sorted(counts.items())))
        return
    out, incidents = write(args.out, args.seed, args.start, args.weeks)
    print(f"wrote {out} and {incidents}")


main()
