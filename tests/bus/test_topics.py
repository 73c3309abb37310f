from importlib.resources import files
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from bus.topics import TopicsFile


def shipped() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(files("bus").joinpath("topics.yml").read_text())
    return data


def test_shipped_topics_file_is_valid() -> None:
    assert TopicsFile.model_validate(shipped()).producer.batch_bytes > 16_384


def test_a_producer_batch_larger_than_a_message_is_refused() -> None:
    data = shipped()
    data["producer"]["batch_bytes"] = data["max_message_bytes"] + 1
    with pytest.raises(ValidationError, match=r"producer\.batch_bytes"):
        TopicsFile.model_validate(data)
