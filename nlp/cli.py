"""`murmure nlp`: tag posts, and score the tagging against labelled posts."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

app = typer.Typer(help="Language, relevance, topics, sentiment, complaints and branches of posts.")
err = Console(stderr=True)
out = Console()

ProfileOption = Annotated[Path, typer.Option("--profile", "-p", help="Library profile (YAML).")]


def read_posts(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, post) for each usable line; malformed lines are reported and skipped."""
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                post = json.loads(line)
                if not isinstance(post, dict):
                    raise ValueError("not a JSON object")
                if not isinstance(post.get("text"), str) or "id" not in post:
                    raise ValueError("needs an 'id' and a string 'text'")
            except ValueError as error:
                err.print(f"{path}:{number}: skipped: {error}", style="yellow", markup=False)
                continue
            yield number, post


def _stage(profile: Path) -> Any:
    from config.profile import ProfileError, load_profile
    from nlp.stage import build_stage

    try:
        return build_stage(load_profile(profile))
    except ProfileError as error:
        err.print(str(error), style="red", markup=False)  # a profile's keys are not markup
        raise typer.Exit(2) from None


def _tag(stage: Any, posts: list[dict[str, Any]], batch: int = 256) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("tagging", total=len(posts))
        for i in range(0, len(posts), batch):
            chunk = posts[i : i + batch]
            for post, analysis in zip(
                chunk, stage.analyse([p["text"] for p in chunk]), strict=True
            ):
                record = analysis.model_dump()
                record["topics"] = analysis.topic_ids
                record["evidence"] = {
                    t.topic: [e.model_dump() for e in t.evidence] for t in analysis.topics
                }
                results.append({"id": post["id"], **record})
            progress.advance(task, len(chunk))
    return results


@app.command()
def tag(
    input: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="JSON lines with id, text.")
    ],
    profile: ProfileOption,
    out_path: Annotated[
        Path | None, typer.Option("--out", "-o", help="Output (default stdout).")
    ] = None,
) -> None:
    """Tag each post of INPUT; one JSON line out per usable line in."""
    stage = _stage(profile)
    posts = [post for _, post in read_posts(input)]
    results = _tag(stage, posts)
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in results)
    if out_path:
        out_path.write_text(lines, encoding="utf-8")
        err.print(f"{len(results)} posts tagged → {out_path}")
    else:
        sys.stdout.write(lines)


@app.command("eval")
def evaluate(
    data: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Labelled JSON lines.")],
    profile: ProfileOption,
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
    errors: Annotated[
        bool, typer.Option("--errors", help="Also list misclassified posts.")
    ] = False,
) -> None:
    """Score the tagging of DATA against its labels (scoring of the eval README)."""
    from nlp.scoring import score

    stage = _stage(profile)
    gold = [post for _, post in read_posts(data)]
    scores = score(gold, _tag(stage, gold))
    if as_json:
        payload: dict[str, Any] = {
            **scores.headline(),
            "per_topic_f1": scores.topic_f1_by_topic,
            "n": scores.n,
            "n_relevant": scores.n_relevant,
            "version": stage.version,
        }
        if errors:
            payload["errors"] = scores.errors
        out.print_json(json.dumps(payload, ensure_ascii=False))
        return
    table = Table(title=f"{data.name}: {scores.n} posts, {scores.n_relevant} relevant")
    table.add_column("metric")
    table.add_column("score", justify="right")
    for name, value in scores.headline().items():
        table.add_row(name, f"{value:.3f}")
    for topic, value in scores.topic_f1_by_topic.items():
        table.add_row(f"  F1 {topic}", f"{value:.3f}", style="dim")
    out.print(table)
    if errors:
        for item in scores.errors:
            g, p = item["gold"], item["predicted"]
            out.print(
                f"[bold]{item['id']}[/bold] ({', '.join(item['fields'])}) {g['text']}", markup=False
            )
            for key in item["fields"]:
                out.print(f"    {key}: gold={g.get(key)!r} predicted={p.get(key)!r}", markup=False)
