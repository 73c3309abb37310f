"""The main job on the sample network: services, topics, workers, replay, then what was indexed
and the alerts raised.

Runs the real workers as separate processes, exactly as a deployment does, and stops them with
SIGTERM once every replayed mention is searchable and the alerts worker has caught up. The alerts
worker runs under a consumer group of its own for each run, started at the current end of the
topics, so each run raises its alerts afresh from its own replay.
"""

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from indexer.client import make_es_client
from indexer.layout import layout
from indexer.queries import count, count_by, ids_indexed_since
from listeners.pseudonym import KEY_VARIABLE
from listeners.replay import RecordedPost, read_recording
from schemas import mention_id
from services.settings import state_paths

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
ENRICH_GROUP = "murmure-enrich"  # `murmure enrich`'s default group, which the demo runs
console = Console(stderr=True)


def demo_key_file() -> Path:
    """The demo's own pseudonymisation key, made once; a deployment sets its own secret."""
    path = state_paths().root / "secrets" / "pseudonym.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.write_text(secrets.token_urlsafe(32), encoding="utf-8")
        path.chmod(0o600)
    return path


def sample_ids(stream: Path) -> list[str]:
    ids = []
    for _, item in read_recording(stream):
        if isinstance(item, dict):
            post = RecordedPost.model_validate(item)
            ids.append(mention_id(post.source, post.native_id))
    return ids


@contextmanager
def workers(env: dict[str, str], log_dir: Path, alerts_group: str) -> Iterator[None]:
    log_dir.mkdir(parents=True, exist_ok=True)
    processes = []
    commands = {
        "enrich": ["enrich"],
        "index": ["index"],
        "alerts": ["alerts", "--group", alerts_group, "--upstream-group", ENRICH_GROUP],
    }
    for name, arguments in commands.items():
        log = (log_dir / f"{name}.log").open("ab")
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "murmure", "--log-format", "json", *arguments],
                env=env,
                stdout=log,
                stderr=log,
            )
        )
    try:
        yield
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=60)


def wait_indexed(ids: list[str], since: str, timeout: float) -> int:
    es = make_es_client()
    query = ids_indexed_since(ids, since)
    done = 0
    columns = (TextColumn("indexing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("indexing", total=len(ids))
        deadline = time.monotonic() + timeout
        while done < len(ids) and time.monotonic() < deadline:
            es.indices.refresh(index=layout().mentions.pattern, ignore_unavailable=True)
            done = count(es, query)
            progress.update(task, completed=done)
            time.sleep(1)
    return done


def start_alerts_group(group: str) -> None:
    """The demo's alerts group starts after what other runs left in the topics."""
    from alerts.lag import start_at_end

    start_at_end(group, "enriched")
    start_at_end(f"{group}-notify", "alerts")


def wait_alerts(group: str, timeout: float) -> bool:
    """Until the alerts worker has checked every enriched mention and indexed its notices."""
    from alerts.lag import GroupLag
    from bus.topics import TopicKey

    lags: dict[str, tuple[TopicKey, str]] = {
        "to tag": ("raw", ENRICH_GROUP),
        "to check": ("enriched", group),
        "to index": ("alerts", f"{group}-notify"),
    }
    readers = {what: GroupLag(key) for what, (key, _) in lags.items()}
    columns = (SpinnerColumn(), TextColumn("alerts: {task.description}"), TimeElapsedColumn())
    try:
        with Progress(*columns, console=console) as progress:
            task = progress.add_task("starting", total=None)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                left = {what: readers[what].of(lags[what][1]) for what in lags}
                if not any(left.values()):
                    progress.update(task, description="caught up")
                    return True
                progress.update(
                    task,
                    description=", ".join(f"{n} mention(s) {what}" for what, n in left.items()),
                )
                time.sleep(1)
            return False
    finally:
        for reader in readers.values():
            reader.close()


def print_alerts(since: datetime, profile: Path) -> None:
    from alerts.report import alerts_since, alerts_table, first_mention, unusable_channels
    from config.profile import load_profile

    loaded = load_profile(profile)
    es = make_es_client()
    found = alerts_since(es, since)
    firsts = {alert.id: first_mention(es, loaded, alert) for alert in found}
    table = alerts_table(found, loaded, firsts, title="Alerts raised (library time)")
    Console(width=None if sys.stdout.isatty() else 120).print(table)
    opened = sum(1 for alert in found if alert.status != "resolved")
    Console().print(f"Alerts: {len(found)} raised, {opened} still open.")
    for channel, problem in unusable_channels(loaded).items():
        console.print(f"  [yellow]not sent to {channel}[/yellow]: {problem}")


def print_counts(ids: list[str]) -> None:
    """Counts of the replayed mentions only: the cluster may hold other data."""
    es = make_es_client()
    replayed: dict[str, Any] = {"ids": {"values": ids}}

    def only(*conditions: dict[str, Any]) -> dict[str, Any]:
        return {"bool": {"filter": [replayed, *conditions]}}

    relevant = only({"term": {"relevant": True}})
    for title, field, query in (
        ("Topics (relevant mentions)", "topics", relevant),
        ("Sentiment (relevant mentions)", "sentiment", relevant),
        ("Branch (relevant mentions)", "branch", relevant),
        ("Source (all mentions)", "source", replayed),
    ):
        table = Table(title=title, title_justify="left")
        table.add_column(field)
        table.add_column("mentions", justify="right")
        for key, n in count_by(es, field, query=query):
            table.add_row(key, str(n))
        Console().print(table)
    Console().print(
        f"Indexed: {count(es, replayed)} mentions, {count(es, relevant)} about the library, "
        f"{count(es, only({'term': {'complaint': True}}))} complaints."
    )


def print_answers(ids: list[str], stream: Path) -> None:
    """Share answered and median delay of the replayed questions and complaints, and what waits
    more than 48 hours at the end of the stream."""
    from indexer.responses import responsiveness, waiting

    es = make_es_client()
    es.indices.refresh(index=layout().mentions.alias)  # the last batch's answers
    replayed: dict[str, Any] = {"ids": {"values": ids}}
    times = [
        datetime.fromisoformat(json.loads(line)["created_at"].replace("Z", "+00:00"))
        for line in stream.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    start, end = min(times), max(times) + timedelta(seconds=1)
    table = Table(title="Answers from the library's accounts", title_justify="left")
    for column in ("posts", "asked", "answered", "share", "median delay"):
        table.add_column(column, justify="left" if column == "posts" else "right")
    for figures in responsiveness(es, start, end, scope=replayed):
        share = figures.share_answered
        delay = figures.median_delay_s
        table.add_row(
            f"{figures.kind}s",
            str(figures.posts),
            str(figures.answered),
            "-" if share is None else f"{share:.0%}",
            "-" if delay is None else f"{delay / 3600:.1f} h",
        )
    Console().print(table)
    total, oldest = waiting(
        es, posted_since=start, posted_before=end - timedelta(hours=48), size=5, scope=replayed
    )
    out = Console(soft_wrap=True)
    out.print(f"Waiting for an answer for more than 48 hours: {total}; the oldest:")
    for post in oldest:
        kind = "question" if post.question else "complaint"
        text = " ".join(post.text.split())[:80]
        line = f"  {post.created_at:%Y-%m-%d %H:%M} {kind} {post.url or post.id}: {text}"
        out.print(line, markup=False, highlight=False)


def run_demo(*, timeout: float) -> bool:
    from murmure.pipeline import replay_command, setup
    from services.stack import up

    console.rule("1/5 services")
    up(step=lambda message: console.print(f"  {message}"))
    console.rule("2/5 topics and index templates")
    setup()
    profile, stream = SAMPLES / "profile.yml", SAMPLES / "stream.jsonl"
    env = os.environ | {"MURMURE_PROFILE": str(profile)}
    if not (os.environ.get(KEY_VARIABLE) or os.environ.get(f"{KEY_VARIABLE}_FILE")):
        env[f"{KEY_VARIABLE}_FILE"] = str(demo_key_file())
    os.environ.update(env)
    ids = sample_ids(stream)
    started = datetime.now(UTC)
    since = started.isoformat()
    alerts_group = f"murmure-demo-alerts-{started:%Y%m%dT%H%M%S}"
    start_alerts_group(alerts_group)
    console.rule("3/5 workers and replay")
    with workers(env, state_paths().run / "demo", alerts_group):
        replay_command(stream, profile)
        done = wait_indexed(ids, since, timeout)
        alerted = wait_alerts(alerts_group, timeout)
    console.rule("4/5 what was indexed")
    print_counts(ids)
    print_answers(ids, stream)
    console.rule("5/5 alerts")
    print_alerts(started, profile)
    logs = state_paths().run / "demo"
    if done < len(ids):
        console.print(
            f"[red]Only {done} of {len(ids)} replayed mentions were indexed within {timeout:.0f}s;"
            f" see the worker logs in {logs}[/red]"
        )
        return False
    if not alerted:
        console.print(f"[red]The alerts worker had not caught up within {timeout:.0f}s; see {logs}")
        return False
    return True
