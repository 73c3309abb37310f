"""`murmure forget` (erase a person or a post now, or queue it) and `murmure retention`.

Here, not in `retention/`, because they join two stages: retention erases, and the summaries
stage re-renders the reports that quoted what was erased."""

from datetime import UTC, datetime
from functools import partial
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from config.options import ProfileOption, open_profile
from config.profile import Profile, normalise_handle
from retention.erasure import ErasureTarget

console = Console(stderr=True)


def _target(
    profile: Profile,
    author: str | None,
    handle: str | None,
    source: str | None,
    mention: str | None,
) -> ErasureTarget:
    """The pseudonym to erase; a handle is hashed with the key (or kept if it is the library's)."""
    from listeners.pseudonym import load_key, pseudonymise

    given = [value for value in (author, handle, mention) if value]
    if len(given) != 1:
        raise typer.BadParameter(
            "give exactly one of --author, --handle (with --source), --mention"
        )
    if author:
        return ErasureTarget("author", author)
    if mention:
        return ErasureTarget("mention", mention)
    assert handle is not None
    if not source:
        raise typer.BadParameter("--handle needs --source (x, mastodon, bluesky…)")
    if profile.is_own_account(source, handle):
        return ErasureTarget("author", normalise_handle(handle))
    return ErasureTarget("author", pseudonymise(load_key(), source, handle))


def forget_command(
    profile: ProfileOption,
    author: Annotated[str | None, typer.Option(help="An author's pseudonym (p_…).")] = None,
    handle: Annotated[
        str | None, typer.Option(help="An account, e.g. @name (with --source).")
    ] = None,
    source: Annotated[str | None, typer.Option(help="The network of --handle.")] = None,
    mention: Annotated[str | None, typer.Option(help="A mention id, source:native_id.")] = None,
    queue: Annotated[
        bool, typer.Option(help="Record the request for the daily retention run instead.")
    ] = False,
) -> None:
    """Erase a person's or a post's data everywhere Murmure keeps it, and say what went."""
    from indexer.client import make_es_client
    from retention.erasure import forget
    from retention.requests import request_erasure
    from summaries.erasure import scrub_summaries

    loaded = open_profile(profile)
    target = _target(loaded, author, handle, source, mention)
    es = make_es_client()
    if queue:
        request_id = request_erasure(es, target, now=datetime.now(UTC))
        console.print(f"erasure request {request_id} queued for the next retention run")
        return
    with console.status("erasing…"):
        report = forget(es, target, profile=loaded, rewrite_summaries=scrub_summaries)
    table = Table(title=f"Erased {target.kind} {target.value}", title_justify="left")
    table.add_column("where")
    table.add_column("deleted", justify="right")
    table.add_column("updated", justify="right")
    places = sorted(set(report.documents_deleted) | set(report.documents_updated))
    for place in places:
        table.add_row(
            place, str(report.documents_deleted[place]), str(report.documents_updated[place])
        )
    console.print(table)
    console.print(f"{sum(report.documents_deleted.values())} document(s) deleted")
    for path in report.files_rewritten:
        console.print(f"report rewritten without the erased posts: {path}")


def retention_command(profile: ProfileOption) -> None:
    """Delete what is older than the profile's retention_days and process queued erasures.

    Every queued erasure is tried whatever else fails; what could not be done is listed and
    the exit code is 1."""
    from indexer.client import make_es_client
    from retention.expiry import expire
    from retention.requests import process_requests
    from summaries.erasure import scrub_summaries

    loaded = open_profile(profile)
    es = make_es_client()
    with console.status("expiring…"):
        expired = expire(es, retention_days=loaded.retention_days, now=datetime.now(UTC))
    say = partial(console.print, markup=False, highlight=False)  # index names, ES's reasons
    say(
        f"cut-off {expired.cutoff.isoformat()}: "
        f"indices deleted {expired.indices_deleted or 'none'}, "
        f"documents deleted {dict(expired.documents_deleted) or 'none'}"
    )
    with console.status("erasing…"):
        erasures = process_requests(es, loaded, rewrite_summaries=scrub_summaries)
    for report in erasures.done:
        say(f"erasure {report.target.kind} {report.target.value}: {report.as_dict()}")
    problems = expired.problems + [
        f"erasure request {request_id} stays pending: {why}"
        for request_id, why in erasures.failed.items()
    ]
    for problem in problems:
        say(f"not done: {problem}", style="red")
    if problems:
        raise typer.Exit(code=1)
