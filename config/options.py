"""Options shared by several stages' commands (here, below every stage, so no stage imports
the `murmure` command that gathers them)."""

from pathlib import Path
from typing import Annotated

import typer

from config.profile import Profile, ProfileError, load_profile

ProfileOption = Annotated[
    Path,
    typer.Option(
        "--profile", envvar="MURMURE_PROFILE", help="Library profile (YAML).", show_envvar=True
    ),
]
MetricsPort = Annotated[int, typer.Option(help="Prometheus metrics port on 127.0.0.1 (0: off).")]


def open_profile(path: Path) -> Profile:
    """Loads the profile or exits with its problems listed (run `murmure profile check`)."""
    try:
        return load_profile(path)
    except ProfileError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(code=2) from None
