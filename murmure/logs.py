"""Logging: structured JSON lines for workers (for log shippers), rich text for people."""

import logging
import sys
from typing import Literal

from pythonjsonlogger.json import JsonFormatter
from rich.logging import RichHandler

LogFormat = Literal["text", "json"]


def configure(fmt: LogFormat, level: str = "INFO") -> None:
    handler: logging.Handler
    if fmt == "json":
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(
            JsonFormatter(
                "{asctime}{levelname}{name}{message}",
                style="{",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    else:
        handler = RichHandler(show_path=False, rich_tracebacks=False)
        handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    # The clients log every reconnection attempt with a traceback. Log shippers keep their
    # warnings; people get Murmure's own messages, which say what failed and what to do.
    clients_level = logging.WARNING if fmt == "json" else logging.CRITICAL
    for name in ("kafka", "elastic_transport"):
        logging.getLogger(name).setLevel(clients_level)
