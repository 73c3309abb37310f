"""`murmure summary`: builds a week's summary outside Airflow (same functions as the DAG)."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console

from config.options import ProfileOption, open_profile

console = Console(stderr=True)


def summary_command(
    profile: ProfileOption,
    week: Annotated[
        str | None,
        typer.Option(help="ISO week, e.g. 2026-W47 (default: the week just ended)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Write the HTML report here (a .txt goes beside it).")
    ] = None,
    send: Annotated[bool, typer.Option(help="E-mail it to the profile's recipients.")] = False,
    force: Annotated[bool, typer.Option(help="With --send: send even if already sent.")] = False,
    lang: Annotated[
        Literal["fr", "en"] | None, typer.Option(help="Language (default: the profile's).")
    ] = None,
) -> None:
    """Build the weekly summary of an ISO week: save it, index it, optionally send it."""
    from config.settings import Settings
    from config.smtp import SmtpConfigError, smtp_settings_from_env
    from indexer.client import make_es_client
    from summaries.archive import index_summary, report_path, save_files
    from summaries.compute import compute_summary
    from summaries.deliver import NoRecipientsError, send_once
    from summaries.render import render_report, worst_topics
    from summaries.settings import tunables
    from summaries.weeks import Week

    loaded = open_profile(profile)
    try:
        wanted = (
            Week.parse(week)
            if week
            else Week.containing(datetime.now(UTC), loaded.library.timezone).shift(-1)
        )
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--week") from None
    smtp = None
    if send:
        try:
            smtp = smtp_settings_from_env()
        except SmtpConfigError as error:
            console.print(f"[red]cannot send:[/red] {error}")
            raise typer.Exit(code=2) from None
    es = make_es_client()
    with console.status(f"computing {wanted} from Elasticsearch…"):
        summary = compute_summary(es, loaded, wanted, language=lang)
    with console.status("drawing the charts…"):
        report = render_report(summary, loaded)
    path = save_files(report, out or report_path(Settings().reports_dir, summary))
    index_summary(es, summary, report, path)
    console.print(
        f"{summary.week}: {summary.mentions} mentions, {summary.relevant} relevant, "
        f"{summary.complaints} complaints; report at {path}"
    )
    for rank, topic in enumerate(worst_topics(summary), start=1):
        console.print(
            f"  {rank}. {topic.topic}: {topic.negative} negative "
            f"(+{topic.deterioration:.1f} vs the {tunables().baseline_weeks}-week mean), "
            f"{len(topic.examples)} representative post(s)"
        )
    if smtp is not None:
        try:
            when = send_once(
                es, summary, report, smtp=smtp, recipients=loaded.summaries.recipients, force=force
            )
        except NoRecipientsError as error:
            console.print(f"[red]cannot send:[/red] {error}")
            raise typer.Exit(code=2) from None
        console.print(f"sent at {when}" if when else "already sent (use --force to resend)")
