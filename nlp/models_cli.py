"""`murmure nlp train --profile`, `murmure nlp models` and `murmure nlp retag`: the learned model's
life on a network (retraining with staff corrections behind the gate, versions, rollback)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from config.options import open_profile

err = Console(stderr=True)
out = Console()

RegistryOption = Annotated[
    Path | None,
    typer.Option(help="Model registry directory (default: the shipped one, nlp/models)."),
]


def train_with_corrections(profile: Path, registry: Path | None, activate: bool) -> None:
    """Train on the shipped data and the network's corrections; the gate decides activation."""
    from indexer.client import make_es_client
    from nlp.retrain import retrain
    from review.labels import corrections

    open_profile(profile)
    posts = [c.labels() for c in corrections(make_es_client())]
    if not posts:
        err.print("[yellow]no staff corrections stored yet (murmure review import FILE)[/yellow]")
    with Progress(console=err, transient=True) as progress:
        progress.add_task(f"training with {len(posts)} corrections and judging", total=None)
        result = retrain(posts, profile, registry, activate=activate)
    verdict = result.verdict
    err.print(
        f"model {result.version}: trained with {result.corrections_trained} corrections, "
        f"{result.corrections_held_out} held out to judge it → {result.directory}"
    )
    if verdict is None:
        err.print("no active model to compare with")
    else:
        table = Table(title=f"before {verdict.before} → after {verdict.after}")
        for column in ("set", "posts", "label", "before", "after", "change", "tolerance"):
            table.add_column(column, justify="left" if column in ("set", "label") else "right")
        for row in verdict.rows:
            change = row.after - row.before
            style = "red" if row.worse else ("green" if change > 0 else None)
            table.add_row(
                row.set, str(row.posts), row.label, f"{row.before:.3f}", f"{row.after:.3f}",
                f"{change:+.3f}", f"{row.tolerance:.2f}", style=style,
            )  # fmt: skip
        out.print(table)
    if result.activated:
        err.print(f"[green]{result.version} is now the active model[/green]")
        return
    if verdict is not None and not verdict.accepted:
        worse = ", ".join(
            f"{r.label} on {r.set} ({r.after - r.before:+.3f})" for r in verdict.worse
        )
        err.print(f"[red]kept {verdict.before}: worse beyond the tolerance: {worse}[/red]")
        raise typer.Exit(1)
    err.print(f"{result.version} published, not active (--no-activate)")


def models_command(
    registry: RegistryOption = None,
    activate: Annotated[
        str | None,
        typer.Option("--activate", help="Make this version the active one (roll back or forward)."),
    ] = None,
) -> None:
    """List the model versions of the registry; --activate VERSION switches to one."""
    from nlp.registry import RegistryError, active_version, load_meta, model_dir, versions
    from nlp.registry import activate as make_active

    if activate:
        try:
            make_active(activate, registry)
        except RegistryError as error:
            err.print(f"[red]{error}[/red]")
            raise typer.Exit(2) from None
        err.print(f"{activate} is now the active model (restart `murmure enrich` to use it)")
    try:
        current = active_version(registry)
    except RegistryError:
        current = ""
    table = Table(title="NLP models")
    for column in ("", "version", "built", "posts", "corrections", "gate"):
        table.add_column(column)
    for version in versions(registry):
        directory = model_dir(version, registry)
        meta = load_meta(directory)
        gate = _read(directory / "gate.json")
        built = datetime.fromtimestamp((directory / "model.json").stat().st_mtime, UTC)
        corrections = (gate or {}).get("corrections") or {}
        verdict = (gate or {}).get("gate")
        table.add_row(
            "●" if version == current else "",
            version,
            built.strftime("%Y-%m-%d %H:%M"),
            str(meta.get("trained_on", {}).get("posts", "")),
            str(corrections.get("trained", "")),
            "" if verdict is None else ("passed" if verdict["accepted"] else "refused"),
        )
    out.print(table)


def _read(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def retag_command(
    profile: Annotated[Path, typer.Option("--profile", "-p", help="Library profile (YAML).")],
    since: Annotated[
        datetime,
        typer.Option(formats=["%Y-%m-%d"], help="Re-tag mentions posted since this day (UTC)."),
    ],
    registry: RegistryOption = None,
) -> None:
    """Tag indexed mentions again from their stored text with the active model (a mention already
    tagged by this pipeline version is skipped: a second run changes nothing)."""
    from indexer.client import make_es_client
    from nlp.registry import model_dir
    from nlp.retag import count_since, retag
    from nlp.stage import Stage

    directory = str(model_dir(root=registry)) if registry else None
    stage = Stage(profile=open_profile(profile), model_dir=directory).load()
    es = make_es_client()
    start = since.replace(tzinfo=UTC)
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("re-tagging", total=count_since(es, start))
        report = retag(
            es, stage, start, now=datetime.now(UTC), progress=lambda n: progress.advance(task, n)
        )
    err.print(
        f"{report.seen} mention(s) since {start.date()}: {report.updated} re-tagged "
        f"({report.changed} with different tags), {report.current} already at {stage.version}",
        soft_wrap=True,
    )
