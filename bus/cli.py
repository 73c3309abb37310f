"""`murmure dlq`: look at dead letters and re-inject them once the cause is fixed."""

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from bus.dlq import read_dlq, replay

app = typer.Typer(help="Inspect and replay the dead-letter topic.", no_args_is_help=True)
console = Console()


@app.command("list")
def list_letters(
    stage: Annotated[str | None, typer.Option(help="Only this stage's dead letters.")] = None,
) -> None:
    """Show each dead letter: stage, origin, reason and size."""
    table = Table()
    for column in ("dlq offset", "stage", "from", "reason", "bytes"):
        table.add_column(column, overflow="fold")
    shown = 0
    for letter in read_dlq():
        if stage and letter.stage != stage:
            continue
        origin = f"{letter.topic}[{letter.partition}]@{letter.offset}"
        size = "null" if letter.value is None else str(len(letter.value))
        # Headers hold what a record said about itself: text, never markup.
        cells = (str(letter.dlq_offset), letter.stage, origin, letter.error, size)
        table.add_row(*(Text(cell) for cell in cells))
        shown += 1
    console.print(table if shown else "[green]The dead-letter topic is empty.[/green]")


@app.command("replay")
def replay_letters(
    stage: Annotated[str | None, typer.Option(help="Only this stage's dead letters.")] = None,
    from_offset: Annotated[int, typer.Option(help="Skip dead letters below this offset.")] = 0,
) -> None:
    """Re-inject dead letters into the topic they came from."""
    letters = [
        letter
        for letter in read_dlq()
        if letter.dlq_offset >= from_offset and (stage is None or letter.stage == stage)
    ]
    done = replay(letters)
    left = f"; {len(letters) - done} without a value left out" if done < len(letters) else ""
    console.print(Text(f"Re-injected {done} message(s){left}."))
