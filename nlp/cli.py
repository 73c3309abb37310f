"""`murmure nlp`: tag posts, and score the tagging against labelled posts."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from nlp.models_cli import models_command, retag_command, train_with_corrections

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
    cv: Annotated[
        int,
        typer.Option(
            "--cv",
            min=0,
            help="K > 1: cross-validated scores; each of K folds is tagged by a model trained on "
            "the shipped training data (less the file's posts) and the file's other folds.",
        ),
    ] = 0,
    seed: Annotated[int, typer.Option(help="Seed of the folds (--cv).")] = 13,
    group_by: Annotated[
        Literal["none", "page"],
        typer.Option(
            help="With --cv, `page`: the posts of one `source_url` page are never split between a "
            "fold's training and measured posts (a post without one is its own page)."
        ),
    ] = "none",
    kind: Annotated[
        str,
        typer.Option(
            help="With --cv, what DATA's other folds teach: `real` posts the labels, `synthetic` "
            "ones only the gate that hands posts to the rules (data/training.yml)."
        ),
    ] = "real",
) -> None:
    """Score the tagging of DATA against its labels (scoring of the eval README)."""
    from nlp.scoring import score

    if cv == 1:
        err.print("[red]--cv needs at least 2 folds[/red]")
        raise typer.Exit(2)
    if kind not in ("real", "synthetic"):
        err.print(f"[red]--kind must be real or synthetic, not {kind!r}[/red]")
        raise typer.Exit(2)
    gold = [post for _, post in read_posts(data)]
    if cv:
        by_page = group_by == "page"
        scores = _cross_validated(gold, profile, cv, seed, kind, by_page)
        version = f"cross-validated, {cv} folds{' grouped by page' if by_page else ''}"
    else:
        stage = _stage(profile)
        scores, version = score(gold, _tag(stage, gold)), stage.version
    if as_json:
        payload: dict[str, Any] = {
            **scores.headline(),
            "per_topic_f1": scores.topic_f1_by_topic,
            "n": scores.n,
            "n_relevant": scores.n_relevant,
            "version": version,
        }
        if errors:
            payload["errors"] = scores.errors
        out.print_json(json.dumps(payload, ensure_ascii=False))
        return
    table = Table(title=f"{data.name}: {scores.n} posts, {scores.n_relevant} relevant ({version})")
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


def _cross_validated(
    gold: list[dict[str, Any]], profile: Path, folds: int, seed: int, kind: str, by_page: bool
) -> Any:
    from nlp.crossval import cross_validate, pages
    from nlp.training import examples, missing_labels, training_examples

    for post in gold:
        if missing := missing_labels(post):
            err.print(f"[red]post {post['id']}: missing {', '.join(missing)}[/red]")
            raise typer.Exit(2)
    file_examples = examples(gold, profile, kind)
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("reading the training data", total=folds + 1)
        base = training_examples(excluding=[p["text"] for p in gold])
        progress.update(task, advance=1, description=f"training and tagging {folds} folds")
        return cross_validate(
            file_examples,
            base,
            folds=folds,
            seed=seed,
            groups=pages(gold) if by_page else None,
            progress=lambda: progress.advance(task),
        )


@app.command()
def train(
    registry: Annotated[
        Path | None,
        typer.Option(help="Model registry directory (default: the shipped one, nlp/models)."),
    ] = None,
    activate: Annotated[bool, typer.Option(help="Make the new model the active one.")] = True,
    profile: Annotated[
        Path | None,
        typer.Option(
            "--profile",
            "-p",
            help="Also learn from this network's staff corrections (murmure review import); the "
            "new model is activated only if the gate finds no label worse.",
        ),
    ] = None,
) -> None:
    """Rebuild the learned model from the labelled files of nlp/data/training.yml (fixed seeds:
    the same files give the same model and version)."""
    if profile is not None:
        train_with_corrections(profile, registry, activate)
        return
    from nlp.registry import load_meta
    from nlp.training import build_and_publish

    with Progress(console=err, transient=True) as progress:
        progress.add_task("training", total=None)
        directory = build_and_publish(registry, activate=activate)
    meta = load_meta(directory)
    size = sum(f.stat().st_size for f in directory.iterdir()) / 1e6
    state = "active" if activate else "not active"
    err.print(
        f"model {meta['version']} ({meta['trained_on']['posts']} posts, {size:.1f} MB) → "
        f"{directory} ({state})"
    )


app.command("models")(models_command)
app.command("retag")(retag_command)
