"""`murmure alerts` (the worker) and `murmure alerts test-rule` (tune a rule on past mentions)."""

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from config.options import MetricsPort, ProfileOption, open_profile
from config.profile import Profile
from config.rules import parse_duration
from schemas.alert import Alert

log = logging.getLogger(__name__)
console = Console()

app = typer.Typer(
    help="Alert rules on enriched mentions: run the worker, or test a rule on past mentions.",
    invoke_without_command=True,
    pretty_exceptions_show_locals=False,
)


@app.callback()
def alerts(
    ctx: typer.Context,
    profile: Annotated[
        Path | None,
        typer.Option(
            "--profile", envvar="MURMURE_PROFILE", help="Library profile (YAML).", show_envvar=True
        ),
    ] = None,
    batch_size: Annotated[int, typer.Option(min=1, help="Mentions per transaction.")] = 200,
    group: Annotated[str, typer.Option(help="Kafka consumer group.")] = "murmure-alerts",
    upstream_group: Annotated[
        str,
        typer.Option(
            help="Consumer group of `murmure enrich`: while it has raw mentions left, the "
            "alerts wait for them, so a fast replay keeps its time order ('' to not wait)."
        ),
    ] = "murmure-enrich",
    metrics_port: MetricsPort = 9104,
) -> None:
    """Run the alert rules on mentions.enriched and send notices (long-running; SIGTERM
    stops it cleanly). With a sub-command, run that instead."""
    if ctx.invoked_subcommand is not None:
        return
    if profile is None:
        raise typer.BadParameter("needs --profile (or MURMURE_PROFILE)", param_hint="--profile")
    from alerts.run import run_alerts
    from bus.metrics import serve_metrics
    from bus.worker import stop_on_signals

    loaded = open_profile(profile)
    serve_metrics(metrics_port)
    run_alerts(
        loaded,
        group=group,
        batch_size=batch_size,
        stop=stop_on_signals(),
        upstream_group=upstream_group or None,
    )


def _parse_until(text: str | None) -> datetime:
    if text is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"not an ISO date or time: {text!r}") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@app.command("test-rule")
def test_rule(
    rule: Annotated[str, typer.Argument(help="Rule id from the profile (enabled or not).")],
    profile: ProfileOption,
    since: Annotated[str, typer.Option(help="How far back: 30m, 12h, 7d, 2w.")] = "7d",
    until: Annotated[
        str | None, typer.Option(help="End of the replay (ISO date/time, UTC); default now.")
    ] = None,
) -> None:
    """Replay indexed mentions through RULE and show what it would have raised. A rule of kind
    `unanswered` shows the reminders it would have sent, given the answers indexed now."""
    from alerts.facts import Facts
    from alerts.replay import filter_query, indexed_mentions, replay_rule, warm_up_start
    from indexer.client import make_es_client
    from indexer.queries import count_between, first_created

    loaded = open_profile(profile)
    tested = loaded.alerts.rule(rule)
    reminder = next((r for r in loaded.alerts.unanswered if r.id == rule), None)
    if tested is None and reminder is None:
        ids = [r.id for r in loaded.alerts.rules] + [r.id for r in loaded.alerts.unanswered]
        known = ", ".join(ids) or "none"
        raise typer.BadParameter(f"no rule {rule!r} in the profile (rules: {known})")
    try:
        span = parse_duration(since)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--since") from None
    end = _parse_until(until)
    start = end - span
    if reminder is not None:
        from alerts.unanswered import replay

        es = make_es_client()
        _show(rule, start, end, replay(es, loaded, reminder, since=start, until=end), loaded)
        es.close()
        return
    assert tested is not None
    warm_up = warm_up_start(loaded, rule, start)
    query = filter_query(tested.filter)
    es = make_es_client()
    zone = ZoneInfo(loaded.library.timezone)
    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[at]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(
            f"replaying {rule}", total=count_between(es, warm_up, end, query), at=""
        )

        def advance(facts: Facts) -> None:
            at = facts.created_at.astimezone(zone).strftime("%d/%m/%Y")
            progress.update(task, advance=1, at=at)

        notices = replay_rule(
            loaded,
            rule,
            (Facts.of_document(doc) for doc in indexed_mentions(es, warm_up, end, query)),
            since=start,
            until=end,
            progress=advance,
            first_seen=first_created(es, warm_up, end),
        )
    es.close()
    _show(rule, start, end, notices, loaded)


def _show(rule: str, start: datetime, end: datetime, notices: list[Alert], loaded: Profile) -> None:
    zone = ZoneInfo(loaded.library.timezone)
    table = Table(title=f"{rule}: {start:%Y-%m-%d %H:%M} → {end:%Y-%m-%d %H:%M} UTC")
    for column in (
        "notice",
        "when (local)",
        "branch",
        "topic",
        "count",
        "total",
        "baseline",
        "latest mention",
    ):
        table.add_column(column)
    for notice in notices:
        at = notice.updated_at or notice.raised_at
        table.add_row(
            notice.status,
            at.astimezone(zone).strftime("%a %d/%m %H:%M"),
            notice.branch or "—",
            notice.topic or "—",
            str(notice.count),
            str(notice.total),
            f"{notice.baseline:.1f}" if notice.baseline is not None else "—",
            (notice.mentions[-1].text_redacted[:70] if notice.mentions else ""),
        )
    console.print(table)
    opened = sum(1 for notice in notices if notice.status == "open")
    console.print(
        f"{opened} alert(s) would have been raised, "
        f"{sum(1 for n in notices if n.status == 'update')} update(s), "
        f"{sum(1 for n in notices if n.status == 'resolved')} resolution(s)."
    )
