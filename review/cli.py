"""`murmure review export` and `murmure review import`: the staff spreadsheet loop."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from config.options import ProfileOption, open_profile

app = typer.Typer(help="Staff review of the tagging: a spreadsheet out, corrections back in.")
console = Console(stderr=True)


@app.command()
def export(
    profile: ProfileOption,
    week: Annotated[str, typer.Option(help="ISO week, e.g. 2026-W47.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="The XLSX file to write.")],
    count: Annotated[int, typer.Option(min=1, help="Rows in the spreadsheet.")] = 50,
    language: Annotated[
        str | None, typer.Option(help="fr or en (default: the profile's first language).")
    ] = None,
) -> None:
    """Write the week's mentions the model was least sure of (and a few random ones) to OUT."""
    from indexer.client import make_es_client
    from review.export import mention_sureness, pick, week_mentions, write_workbook
    from review.workbook import layout_for
    from summaries.weeks import Week

    loaded = open_profile(profile)
    try:
        parsed = Week.parse(week)
        layout = layout_for(loaded, language)
    except (ValueError, KeyError) as error:
        raise typer.BadParameter(str(error)) from None
    with console.status(f"reading the mentions of {parsed}…"):
        mentions = week_mentions(make_es_client(), parsed, loaded)
    if not mentions:
        console.print(f"[yellow]no mention indexed in {parsed}: nothing to review[/yellow]")
        raise typer.Exit(1)
    with console.status(f"weighing {len(mentions)} mentions with the active model…"):
        sureness = mention_sureness(mentions, profile)
    picked = pick(mentions, sureness, count, seed=str(parsed))
    write_workbook(picked, loaded, parsed, out, layout)
    drawn = sum(p.random for p in picked)
    console.print(
        f"{len(picked)} of {len(mentions)} mentions of {parsed} → {out} "
        f"({len(picked) - drawn} least sure, {drawn} at random)"
    )


@app.command("import")
def import_command(
    profile: ProfileOption,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A filled file.")],
) -> None:
    """Check every row of FILE and store its corrections (all or nothing) in murmure-labels."""
    from indexer.client import make_es_client
    from review.intake import ReviewFileError, corrections_of, read_review
    from review.labels import store

    loaded = open_profile(profile)
    try:
        reading = read_review(file, loaded)
    except ReviewFileError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None
    if reading.errors:
        console.print(f"[red]{file.name}: {len(reading.errors)} cell(s) to fix, nothing stored")
        for cell in reading.errors:
            console.print(f"  {cell}", markup=False, soft_wrap=True)
        raise typer.Exit(1)
    es = make_es_client()
    corrections, gone = corrections_of(es, reading.answers, file, now=datetime.now(UTC))
    for mention_id in gone:
        console.print(f"[yellow]{mention_id}: no longer indexed (erased or expired), row dropped")
    stored = store(es, corrections)
    console.print(
        f"{file.name}: {len(corrections)} correction(s): {stored.written} stored, "
        f"{stored.unchanged} already there; {reading.skipped} row(s) left blank",
        soft_wrap=True,
    )
