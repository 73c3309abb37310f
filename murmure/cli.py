"""The `murmure` command: each stage contributes its own sub-commands."""

import importlib
import sys
from typing import Annotated, Any

import typer
from elasticsearch import ConnectionError as EsConnectionError
from kafka.errors import KafkaConnectionError, KafkaTimeoutError
from typer.core import TyperGroup

from murmure import logs

# Each stage's commands: name → (module, attribute), a Typer app of sub-commands or a function.
STAGES = {
    "services": ("services.cli", "app"),
    "profile": ("config.cli", "app"),
    "setup": ("murmure.pipeline", "setup"),
    "replay": ("murmure.pipeline", "replay_command"),
    "listen": ("listeners.cli", "listen"),
    "enrich": ("murmure.pipeline", "enrich"),
    "index": ("murmure.pipeline", "index"),
    "nlp": ("nlp.cli", "app"),
    "dlq": ("bus.cli", "app"),
    "alerts": ("alerts.cli", "app"),
    "summary": ("summaries.cli", "summary_command"),
    "forget": ("murmure.retention", "forget_command"),
    "retention": ("murmure.retention", "retention_command"),
    "kibana": ("kibana.cli", "app"),
    "review": ("review.cli", "app"),
}


class StageCommands(TyperGroup):
    """A stage's commands are imported when one of them runs: `murmure summary`, started every
    week by Airflow, does not load spaCy, Kafka's admin client or the listeners' API clients."""

    def list_commands(self, ctx: Any) -> list[str]:
        return [*super().list_commands(ctx), *STAGES]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        found = super().get_command(ctx, cmd_name)
        if found is not None or cmd_name not in STAGES:
            return found
        module, attribute = STAGES[cmd_name]
        target = getattr(importlib.import_module(module), attribute)
        holder = typer.Typer()
        if isinstance(target, typer.Typer):
            holder.add_typer(target, name=cmd_name)
        else:
            holder.command(cmd_name)(target)
        holder.command("_")(lambda: None)  # two entries: Typer builds a group, not one command
        group = typer.main.get_command(holder)
        assert isinstance(group, TyperGroup)
        return group.commands[cmd_name]


app = typer.Typer(
    cls=StageCommands,
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
