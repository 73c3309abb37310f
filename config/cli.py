"""`murmure profile`: check a library profile before deploying it."""

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from config.profile import Profile, ProfileError, load_profile
from config.secrets import MissingSecretError, read_secret

app = typer.Typer(help="Check a library profile.", no_args_is_help=True)
console = Console()


@app.command()
def check(profile: Annotated[Path, typer.Argument(help="The library profile (YAML).")]) -> None:
    """Validate PROFILE and list every problem with its field path."""
    try:
        loaded = load_profile(profile)
        if missing := missing_credentials(loaded):
            raise ProfileError(profile, missing)
    except ProfileError as error:
        # Keys and messages quote the profile: printed as text, never as Rich markup.
        title = Text(f"{error.path}: {len(error.problems)} problem(s)")
        table = Table(title=title, title_justify="left")
        table.add_column("field", style="bold red")
        table.add_column("problem")
        for where, message in error.problems:
            table.add_row(Text(where), Text(message))
        Console(stderr=True).print(table)
        raise typer.Exit(code=1) from None
    summary = (
        f" {loaded.library.name} ({loaded.library.id}): "
        f"{len(loaded.branches)} branches, {len(loaded.area.places)} places, "
        f"{len(loaded.sources)} sources, {len(loaded.alerts.rules)} alert rules, "
        f"retention {loaded.retention_days} days"
    )
    console.print(Text.assemble(("OK", "green"), summary))


def missing_credentials(profile: Profile) -> list[tuple[str, str]]:
    """Enabled sources whose required environment variables are not set (checked here, where
    the listeners will run, rather than at every load of the profile)."""
    found = []
    for number, source in enumerate(profile.sources):
        needed: tuple[str, ...] = getattr(source, "credentials", ())
        if not (source.enabled and needed):
            continue
        where = f"sources.{number} ({source.id})"
        try:
            missing = [name for name in needed if read_secret(name, required=False) is None]
        except MissingSecretError as error:  # set twice, or a file that cannot be read
            found.append((where, str(error)))
            continue
        if missing:
            found.append(
                (
                    where,
                    f"{source.type} needs {' and '.join(needed)} in the environment; "
                    f"missing: {', '.join(missing)}",
                )
            )
    return found
