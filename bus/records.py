"""What a stage hands back for the messages it could not process."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Failure:
    """A message that will never succeed as it is: it goes to the dead-letter topic."""

    record: Any  # kafka ConsumerRecord
    error: str


class TransientError(Exception):
    """The batch may succeed later (store down, broker unreachable): retry it, commit nothing."""


def describe_error(error: BaseException) -> str:
    """One line for logs and dead-letter headers: where the message (or a network's item) was
    wrong, never its content."""
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(message)"
        return f"invalid {error.title}: {where}: {first['msg']} ({error.error_count()} error(s))"
    if isinstance(error, KeyError):
        return f"missing field {error}"
    return f"{type(error).__name__}: {error}"


def parse_records(
    model: type[M], records: Iterable[Any], *, context: dict[str, Any] | None = None
) -> tuple[list[tuple[Any, M]], list[Failure]]:
    """Each message valid against the contract, with its record; a failure for each other one.
    `context` goes to the contract's validators (e.g. `received_at`, see `schemas.mention`)."""
    parsed: list[tuple[Any, M]] = []
    failures: list[Failure] = []
    for record in records:
        try:
            parsed.append((record, model.model_validate_json(record.value, context=context)))
        except Exception as error:  # whatever one record does, it stops no worker
            failures.append(Failure(record, describe_error(error)))
    return parsed, failures
