"""Renders the CLI screenshots of the guides (docs/img/cli-*.png): runs each command, keeps its
colours, saves an SVG with rich and photographs it with headless Chromium (Debian's `chromium`).

Run from the repository root: `.venv/bin/python docs/render_cli.py` (the services must be up
for `services status`).
"""

import io
import os
import re
import subprocess
import sys
from pathlib import Path

from rich.console import Console
from rich.text import Text

IMG = Path(__file__).parent / "img"
MURMURE = str(Path(sys.executable).parent / "murmure")
SHOTS = {
    "cli-help": [MURMURE, "--help"],
    "cli-profile-check": [MURMURE, "profile", "check", "samples/profile.yml"],
    "cli-services-status": [MURMURE, "services", "status"],
    "cli-kibana": [MURMURE, "kibana", "import", "--help"],
}
WIDTH = 100


def render(name: str, command: list[str]) -> Path:
    env = os.environ | {"FORCE_COLOR": "1", "COLUMNS": str(WIDTH), "TERM": "xterm-256color"}
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    console = Console(record=True, width=WIDTH, force_terminal=True, file=io.StringIO())
    prompt = "$ murmure " + " ".join(command[1:])
    console.print(Text(prompt, style="bold green"))
    console.print(Text.from_ansi(result.stdout + result.stderr))
    svg = IMG / f"{name}.svg"
    console.save_svg(str(svg), title=prompt)
    png = IMG / f"{name}.png"
    box = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg.read_text(encoding="utf-8"))
    assert box, "rich's SVG has a viewBox"
    width, height = (int(float(v)) + 1 for v in box.groups())
    subprocess.run(
        [
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            "--force-device-scale-factor=1.5",
            f"--window-size={width},{height}",
            f"--screenshot={png.resolve()}",
            svg.resolve().as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    svg.unlink()
    return png


if __name__ == "__main__":
    for shot, argv in SHOTS.items():
        print(render(shot, argv))
