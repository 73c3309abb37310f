"""Any record can be dead-lettered, and listed: null keys and values, records too large to
copy, reasons that look like terminal markup."""

import uuid
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from bus.dlq import read_dlq, replay, send_to_dlq
from bus.kafka import make_producer
from bus.records import Failure
from bus.topics import topic, topics_file
from murmure.cli import app

pytestmark = pytest.mark.integration


def _record(offset: int, key: bytes | None, value: bytes | None) -> SimpleNamespace:
    return SimpleNamespace(topic=topic("raw"), partition=0, offset=offset, key=key, value=value)


def test_records_with_nothing_or_too_much_in_them_are_dead_lettered(topics: None) -> None:
    stage = f"stage-{uuid.uuid4().hex[:6]}"
    huge = b"x" * (topics_file().max_message_bytes + 1)
    failures = [
        Failure(_record(11, None, None), "invalid RawMention: (message): no JSON"),
        Failure(_record(12, b"big", huge), "invalid RawMention: text: too long"),
        Failure(_record(13, b"fine", b"{}"), "invalid RawMention: source: Field required"),
    ]
    producer = make_producer()
    try:
        send_to_dlq(producer, stage, failures)
    finally:
        producer.close()
    letters = {letter.offset: letter for letter in read_dlq() if letter.stage == stage}
    assert set(letters) == {11, 12, 13}
    assert letters[11].key is None and letters[11].value is None
    assert letters[12].key == b"big" and letters[12].value is None
    assert "too long" in letters[12].error and "not kept" in letters[12].error
    assert letters[13].value == b"{}"
    # What has no bytes to give back is not re-injected; the rest is.
    assert replay([letters[11], letters[12]]) == 0


def test_dlq_list_prints_null_values_and_markup_like_reasons_as_text(topics: None) -> None:
    stage = f"stage-{uuid.uuid4().hex[:6]}"
    reasons = {
        21: "[/oops]",
        22: "[lang_hint]",
        23: "[bold red]x",
    }
    producer = make_producer()
    try:
        send_to_dlq(
            producer,
            stage,
            [Failure(_record(offset, b"key", None), why) for offset, why in reasons.items()],
        )
    finally:
        producer.close()
    listed = CliRunner().invoke(app, ["dlq", "list", "--stage", stage])
    assert listed.exit_code == 0, listed.output
    for reason in reasons.values():
        assert reason in listed.output
    assert "null" in listed.output
