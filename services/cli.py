"""`murmure services up|down|status`: the local Kafka and Elasticsearch, without Docker."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from services import stack
from services.base import Step
from services.errors import ServiceError

app = typer.Typer(
    help="Run Kafka and Elasticsearch locally (fetched from Maven Central, no Docker needed).",
    no_args_is_help=True,
)
console = Console()
T = TypeVar("T")


@contextmanager
def _spinner(first: str) -> Iterator[Step]:
    with console.status(escape(first)) as live:
        yield lambda message: live.update(escape(message))


def _run(action: Callable[[], T]) -> T:
    """Show a ServiceError as a plain message and exit 1, without a traceback."""
    try:
        return action()
    except ServiceError as exc:
        console.print(Text("error: ", style="bold red") + Text(str(exc)), soft_wrap=True)
        raise typer.Exit(1) from None


def _table(rows: list[stack.ServiceStatus]) -> Table:
    table = Table(title="Murmure local services")
    for column in ("service", "version", "pid", "port", "answering"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            row.name,
            row.version,
            str(row.pid) if row.pid is not None else "-",
            str(row.port),
            "[green]yes[/]" if row.answering else "[red]no[/]",
        )
    return table


@app.command()
def up() -> None:
    """Start Kafka and Elasticsearch (downloading them on first use) and wait until they answer."""
    with _spinner("Starting services") as step:
        results = _run(lambda: stack.up(step=step))
    for result in results:
        s = result.status
        if result.started:
            console.print(
                f"started {s.name} {s.version} (pid {s.pid}) on port {s.port} "
                f"in {result.seconds:.1f} s"
            )
        else:
            console.print(f"{s.name} {s.version} already running (pid {s.pid}) on port {s.port}")


@app.command()
def down(
    wipe: Annotated[
        bool, typer.Option("--wipe", help="Also delete Kafka and Elasticsearch data.")
    ] = False,
) -> None:
    """Stop the services (SIGTERM, then SIGKILL after a grace period)."""
    with _spinner("Stopping services") as step:
        stopped = _run(lambda: stack.down(wipe=wipe, step=step))
    console.print(f"stopped: {', '.join(stopped)}" if stopped else "nothing was running")
    if wipe:
        console.print(f"deleted data under {stack.load_stack().paths.data}")


@app.command()
def status() -> None:
    """Show each service's version, pid, port and whether it answers."""
    rows = _run(stack.status)
    console.print(_table(rows))
    console.print(f"state directory: {stack.load_stack().paths.root}", style="dim")
