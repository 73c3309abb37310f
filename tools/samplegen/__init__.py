"""Generate the sample stream of Kerbrient, a fictional library network, with planted incidents.

Why: the demo and the tests of later stages (tagging, indexing, alerts, weekly summaries) need a
stream that looks like what a real network hears in public, with incidents whose exact start,
end and posts are known in advance. Everything is invented and seeded, so the output is the same
bytes on every machine.

    python -m tools.samplegen [--seed 2026] [--out samples/stream.jsonl] [--start 2026-09-28]
                              [--weeks 8]

Writes the stream (one JSON post per line, sorted by `created_at`) and, next to it,
`incidents.json` (the ground truth). Branches and the library's accounts come from
`samples/profile.yml`; every phrase comes from `tools/samplegen/templates.yml`. A development
tool: it is not part of the installed package, which ships only what it wrote.

Planted incidents, with the defaults (seed 2026, start Monday 2026-09-28); local time is
Europe/Paris, the stream itself is in UTC:

* ``wifi-lanvern`` - Wi-Fi outage at the Médiathèque de Lanvern, week 3: 28 complaints from
  Tuesday 2026-10-13 13:07 local (11:07Z) to Wednesday 2026-10-14 16:45 local (14:45Z), seven of
  them in the first two hours.
* ``heating-centrale`` - heating failure at the Médiathèque centrale Anne-Quéré during a cold
  snap, week 6: 33 complaints from Tuesday 2026-11-03 10:24 local (09:24Z) to Thursday
  2026-11-05 17:30 local (16:30Z).
* ``sockets-stang`` - power-socket shortage at the BU du Stang at exam time, weeks 7-8: 26
  complaints growing from one a day to six a day, Monday 2026-11-09 14:12 local (13:12Z) to
  Wednesday 2026-11-18 19:40 local (18:40Z).

Outside those windows a Wi-Fi, temperature or power complaint is rare: at most one per branch per
day and at least three hours apart network-wide, so that count rules only fire on the incidents.
Saturday 2026-10-10 (week 2) is a busy but happy day (a book festival at the central library),
not an incident.
"""

import json
from datetime import date
from pathlib import Path
from typing import Any

from tools.samplegen.generator import Generator
from tools.samplegen.post import Post
from tools.samplegen.schedule import DEFAULT_SEED, DEFAULT_START, DEFAULT_WEEKS
from tools.samplegen.truth import ground_truth

__all__ = ["DEFAULT_START", "generate", "write"]


def generate(
    seed: int = DEFAULT_SEED, start: date = DEFAULT_START, weeks: int = DEFAULT_WEEKS
) -> tuple[list[Post], dict[str, Any]]:
    """The stream and its ground truth, without touching the disk."""
    generator = Generator(seed, start, weeks)
    return generator.run(), ground_truth(generator)


def write(
    out: Path, seed: int = DEFAULT_SEED, start: date = DEFAULT_START, weeks: int = DEFAULT_WEEKS
) -> tuple[Path, Path]:
    """Writes the stream to `out` and `incidents.json` next to it."""
    posts, truth = generate(seed, start, weeks)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(post.to_json() + "\n" for post in posts), encoding="utf-8")
    incidents = out.with_name("incidents.json")
    incidents.write_text(json.dumps(truth, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return out, incidents
