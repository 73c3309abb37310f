"""Commands that run the pipeline's stages: setup, replay, enrich, index."""

import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress

from bus.kafka import TopicSettingsError, ensure_topics, make_producer
from bus.worker import serve
from config.options import MetricsPort, ProfileOption, open_profile
from config.sources import ReplaySource
from indexer.client import make_es_client
from indexer.setup import ensure_templates
from listeners.checkpoints import MemoryCheckpoints
from listeners.context import Context
from listeners.pseudonym import load_key
from listeners.runner import RecentIds, poll_once

log = logging.getLogger(__name__)
console = Console(stderr=True)


def setup() -> None:
    """Create the Kafka topics and the Elasticsearch templates (safe to run again)."""
    try:
        created = ensure_topics()
    except TopicSettingsError as error:
        console.print(f"[red]cannot create the topics:[/red] {error}")
        raise typer.Exit(code=2) from None
    features = ensure_templates(make_es_client())
    console.print(f"Topics created: {', '.join(created) or 'none (all present)'}")
    console.print(
        f"Elasticsearch: text analyzer '{features.text_analyzer}', "
        f"delete-by-query {'available' if features.delete_by_query else 'absent'}"
    )


def replay_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Recorded JSONL.")],
    profile: ProfileOption,
    speed: Annotated[
        float, typer.Option(min=0, help="Times real time; 0 replays as fast as possible.")
    ] = 0.0,
    batch: Annotated[int, typer.Option(min=1, help="Mentions per acknowledged send.")] = 200,
) -> None:
    """Feed a recorded stream into mentions.raw (the replay listener, from the first line)."""
    loaded = open_profile(profile)
    config = ReplaySource(id="replay", type="replay", path=str(file), speed=speed, batch=batch)
    producer = make_producer()
    total = sum(1 for line in file.open(encoding="utf-8") if line.strip())
    with Progress(console=console, transient=False) as progress:
        task = progress.add_task("replaying", total=total)
        report = poll_once(
            config,
            Context(profile=loaded, key=load_key()),
            producer=producer,
            checkpoints=MemoryCheckpoints(),
            recent=RecentIds(),
            on_page=lambda _report, page: progress.advance(task, page.fetched),
        )
    producer.close()
    if report.error:
        console.print(f"Replay stopped: {report.error}", style="red", markup=False)
        raise typer.Exit(code=1)
    console.print(
        f"Replayed {report.published} mention(s) into mentions.raw; "
        f"{report.malformed} bad line(s) skipped."
    )


def enrich(
    profile: ProfileOption,
    batch_size: Annotated[
        int, typer.Option(min=1, help="Most mentions per committed batch.")
    ] = 1024,
    chunk_size: Annotated[int, typer.Option(min=1, help="Mentions per NLP call.")] = 256,
    processes: Annotated[int, typer.Option(min=1, help="NLP processes (one per core).")] = 1,
    group: Annotated[str, typer.Option(help="Kafka consumer group.")] = "murmure-enrich",
    metrics_port: MetricsPort = 9101,
) -> None:
    """Tag raw mentions with the NLP stage (long-running; SIGTERM stops it cleanly)."""
    from nlp.pool import start_pool
    from nlp.worker import EnrichStage

    pool = start_pool(open_profile(profile), processes)
    log.info("NLP pipeline %s ready in %d process(es)", pool.version, processes)
    try:
        serve(
            group=group,
            topic_key="raw",
            batch_size=min(chunk_size, batch_size),  # the stage polls the rest as it goes
            metrics_port=metrics_port,
            make_stage=lambda producer, _consumer: EnrichStage(
                pool, producer, chunk_size=chunk_size, batch_size=batch_size
            ),
        )
    finally:
        pool.close()


def index(
    batch_size: Annotated[int, typer.Option(min=1, help="Mentions per bulk request.")] = 500,
    group: Annotated[str, typer.Option(help="Kafka consumer group.")] = "murmure-index",
    metrics_port: MetricsPort = 9102,
) -> None:
    """Index enriched mentions into Elasticsearch (long-running; SIGTERM stops it cleanly)."""
    from indexer.worker import IndexStage

    es = make_es_client()
    ensure_templates(es)
    try:
        serve(
            group=group,
            topic_key="enriched",
            batch_size=batch_size,
            metrics_port=metrics_port,
            make_stage=lambda _producer, consumer: IndexStage(es, consumer),
        )
    finally:
        es.close()
