"""`murmure listen`: run the profile's sources into `mentions.raw`, once or for good."""

import logging
import threading
from pathlib import Path
from typing import Annotated

import typer
from kafka import KafkaProducer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from bus.kafka import make_producer
from bus.metrics import serve_metrics
from bus.worker import stop_on_signals
from config.options import MetricsPort, ProfileOption, open_profile
from config.profile import Profile
from config.sources import SourceConfig
from listeners.checkpoints import Checkpoints, open_checkpoints
from listeners.context import Context, Page
from listeners.pseudonym import load_key
from listeners.runner import OnPage, RecentIds, SourceReport, listen_forever, poll_once

log = logging.getLogger(__name__)
console = Console(stderr=True)


def selected(profile: Profile, names: list[str]) -> list[SourceConfig]:
    """The enabled sources, or the named ones (even if disabled): a clear error if unknown."""
    if not names:
        return [source for source in profile.sources if source.enabled]
    by_id = {source.id: source for source in profile.sources}
    unknown = [name for name in names if name not in by_id]
    if unknown:
        raise typer.BadParameter(
            f"no source {', '.join(map(repr, unknown))} in the profile "
            f"(it has: {', '.join(by_id) or 'none'})",
            param_hint="--source",
        )
    return [by_id[name] for name in names]


def listen(
    profile: ProfileOption,
    source: Annotated[
        list[str] | None, typer.Option(help="Source id from the profile (repeatable).")
    ] = None,
    once: Annotated[bool, typer.Option(help="Poll each source once and exit (cron, tests).")] = (
        False
    ),
    state_dir: Annotated[
        Path | None,
        typer.Option(help="Where checkpoints live.", envvar="MURMURE_STATE_DIR", show_envvar=True),
    ] = None,
    metrics_port: MetricsPort = 9103,
) -> None:
    """Listen to the profile's sources and publish what they find into mentions.raw."""
    loaded = open_profile(profile)
    sources = selected(loaded, source or [])
    if not sources:
        console.print("No enabled source in the profile: nothing to listen to.")
        return
    context = Context(profile=loaded, key=load_key())
    checkpoints = open_checkpoints(state_dir)
    producer = make_producer()
    recent = RecentIds()
    serve_metrics(metrics_port)
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    reports: dict[str, SourceReport] = {}
    try:
        with Progress(*columns, console=console) as progress:
            tasks = {s.id: progress.add_task(_line(s.id, None), total=None) for s in sources}

            def on_page(report: SourceReport, page: Page) -> None:
                del page
                progress.update(
                    tasks[report.source_id], description=_line(report.source_id, report)
                )

            if once:
                for config in sources:
                    report = poll_once(
                        config,
                        context,
                        producer=producer,
                        checkpoints=checkpoints,
                        recent=recent,
                        on_page=on_page,
                    )
                    reports[config.id] = report
                    _finish(progress, tasks[config.id], report)
            else:
                _forever(sources, context, checkpoints, producer, recent, on_page)
    finally:
        producer.close()
        checkpoints.close()
    if once:
        console.print(_table(list(reports.values())))
        if any(report.error for report in reports.values()):
            raise typer.Exit(code=1)


def _forever(
    sources: list[SourceConfig],
    context: Context,
    checkpoints: Checkpoints,
    producer: KafkaProducer,
    recent: RecentIds,
    on_page: OnPage,
) -> None:
    """One thread per source; SIGTERM or Ctrl-C stops them after their current page."""
    stop = stop_on_signals()
    context.stop = stop
    threads = [
        threading.Thread(
            target=listen_forever,
            args=(config, context),
            kwargs={
                "producer": producer,
                "checkpoints": checkpoints,
                "recent": recent,
                "on_page": on_page,
            },
            name=f"listen-{config.id}",
            daemon=True,
        )
        for config in sources
    ]
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        stop.wait(1)
        if stop.is_set():
            for thread in threads:
                thread.join(timeout=30)


def _line(source_id: str, report: SourceReport | None) -> str:
    if report is None:
        return f"{source_id}: waiting"
    return (
        f"{source_id}: {report.fetched} fetched, {report.published} published, "
        f"{report.malformed} malformed"
    )


def _finish(progress: Progress, task: TaskID, report: SourceReport) -> None:
    status = f"[red]failed: {report.error}[/red]" if report.error else "[green]done[/green]"
    progress.update(task, description=f"{_line(report.source_id, report)} — {status}")
    progress.stop_task(task)


def _table(reports: list[SourceReport]) -> Table:
    table = Table(title="Sources polled once", title_justify="left")
    for column in ("source", "type", "fetched", "published", "repeats", "malformed", "status"):
        table.add_column(
            column, justify="left" if column in {"source", "type", "status"} else "right"
        )
    for r in reports:
        table.add_row(
            r.source_id,
            r.type,
            str(r.fetched),
            str(r.published),
            str(r.duplicates),
            str(r.malformed),
            f"failed: {r.error}" if r.error else "ok",
        )
    return table
