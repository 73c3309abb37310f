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
    logging.getLogger("kafka").setLevel(logging.WARNING)
    logging.getLogger("elastic_transport").setLevel(logging.WARNING)
