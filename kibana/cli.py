"""`murmure kibana import` (the compose `kibana-setup` job) and `murmure kibana build`."""

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

console = Console(stderr=True)

app = typer.Typer(
    help="Kibana for staff: import the data views, saved searches and dashboard.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


@app.command("import")
def import_command(
    url: Annotated[
        str | None,
        typer.Option(
            help="Kibana, as this machine sees it [default: MURMURE_KIBANA_API_URL, else "
            "MURMURE_KIBANA_URL, else http://127.0.0.1:5601]."
        ),
    ] = None,
    profile: Annotated[
        Path | None,
        typer.Option(
            envvar="MURMURE_PROFILE",
            show_envvar=True,
            help="Library profile: adds one saved search per branch.",
        ),
    ] = None,
) -> None:
    """Wait for Kibana, then import Murmure's saved objects (safe to run again: overwrites)."""
    from config.options import open_profile
    from config.secrets import read_secret
    from config.settings import get_settings
    from kibana.build import NDJSON, branch_searches, to_ndjson
    from kibana.import_objects import KibanaImportError, Target, import_objects

    url = url or get_settings().kibana_import_url
    payload = NDJSON.read_text(encoding="utf-8")
    if profile is not None:
        payload += to_ndjson(branch_searches(open_profile(profile)))
    target = Target(
        url=url,
        username=get_settings().es_username or "elastic",
        password=read_secret("MURMURE_ES_PASSWORD", required=False),
    )
    with console.status(f"Importing into Kibana at {url}…"):
        try:
            report = import_objects(target, payload.encode("utf-8"))
        except KibanaImportError as error:
            console.print(str(error), style="red", markup=False)  # Kibana's own words
            raise typer.Exit(code=1) from None
    console.print(f"Kibana: {report.imported} saved object(s) imported or updated.")


@app.command("build")
def build_command(
    check: Annotated[bool, typer.Option(help="Only check that the NDJSON is up to date.")] = False,
) -> None:
    """Write kibana/saved_objects.ndjson from kibana/objects.yml."""
    from kibana.build import main

    raise typer.Exit(code=main(["--check"] if check else []))
