"""The `murmure` command: each stage contributes its own sub-commands."""

import sys
from typing import Annotated

import typer
from elasticsearch import ConnectionError as EsConnectionError
from kafka.errors import KafkaConnectionError, KafkaTimeoutError

from alerts.cli import app as alerts_app
from bus.cli import app as dlq_app
from config.cli import app as profile_app
from kibana.cli import app as kibana_app
from listeners.cli import listen
from murmure import logs, pipeline
from nlp.cli import app as nlp_app
from retention.cli import forget_command, retention_command
from review.cli import app as review_app
from services.cli import app as services_app
from summaries.cli import summary_command

app = typer.Typer(
    help="Murmure: social listening for library networks.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals can hold secrets
)


@app.callback()
def main(
    log_format: Annotated[
        logs.LogFormat, typer.Option(help="json for log shippers, text for people.")
    ] = "text",
    log_level: Annotated[str, typer.Option(help="DEBUG, INFO, WARNING…")] = "INFO",
) -> None:
    logs.configure(log_format, log_level.upper())


@app.command()
def demo(
    timeout: Annotated[float, typer.Option(help="Seconds to wait for indexing.")] = 900,
) -> None:
    """The main job: run the whole pipeline on the sample network and show what was indexed."""
    from murmure.demo import run_demo

    if not run_demo(timeout=timeout):
        raise typer.Exit(code=1)


app.add_typer(services_app, name="services")
app.add_typer(profile_app, name="profile")
app.command()(pipeline.setup)
app.command("replay")(pipeline.replay_command)
app.command()(listen)
app.command()(pipeline.enrich)
app.command()(pipeline.index)
app.add_typer(nlp_app, name="nlp")
app.add_typer(dlq_app, name="dlq")
app.add_typer(alerts_app, name="alerts")
app.command("summary")(summary_command)
app.command("forget")(forget_command)
app.command("retention")(retention_command)
app.add_typer(kibana_app, name="kibana")
app.add_typer(review_app, name="review")


def run() -> None:
    """The console entry point: an unreachable service is a one-line error, not a traceback."""
    from config.settings import get_settings

    settings = get_settings()
    try:
        app(prog_name="murmure")
    except EsConnectionError:
        sys.exit(
            f"murmure: Elasticsearch is not reachable at {settings.es_url} "
            "(start it with `murmure services up`, or set MURMURE_ES_URL)"
        )
    except (KafkaConnectionError, KafkaTimeoutError):
        sys.exit(
            f"murmure: Kafka did not answer at {settings.kafka_bootstrap} "
            "(start it with `murmure services up`, or set MURMURE_KAFKA_BOOTSTRAP)"
        )
