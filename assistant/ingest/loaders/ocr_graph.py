"""Equivalent, faster graphs of PP-OCR's models, rewritten once when the OCR engines load.

PP-OCRv4's networks (PP-LCNetV3 blocks) reach onnxruntime as Paddle exported them: every
convolution is followed by a learnable per-channel scale and shift (``Mul``, ``Add``) and a
hard-swish spelt as four element-wise steps (``x * clip(x + 3, 0, 6) / 6``). onnxruntime
fuses neither, so a third of the recogniser's time went to element-wise passes over
activations. Two rewrites give the same function with fewer passes:

- the scale and shift are folded into the convolution's weights and bias
  (``s * (W * x + c) + t = (s * W) * x + (s * c + t)``);
- the hard-swish becomes ``x * HardSigmoid(x)`` (alpha 1/6, beta 1/2), which onnxruntime
  fuses into the convolution that precedes it.

The outputs agree with the original graphs to float rounding (checked in the tests and by the
benchmark's character error rate); measured on the benchmark's pages, recognition takes about
0.7 of the time. Only patterns whose constants match exactly are rewritten, so a future model
that does not have them is used as it is.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class GraphRewrite:
    """What one rewrite changed: hard-swishes replaced, scale-and-shift pairs folded."""

    hard_swishes: int
    folded_affines: int


def write_fused_model(source: Path, target: Path) -> GraphRewrite:
    """Write ``source``'s graph with both rewrites applied to ``target``."""
    import onnx

    model = onnx.load(str(source))
    rewrite = fuse_graph(model.graph)
    onnx.checker.check_model(model)
    onnx.save(model, str(target))
    logger.debug("%s: %s", source.name, rewrite)
    return rewrite


def fuse_graph(graph: Any) -> GraphRewrite:
    """Apply both rewrites to an ``onnx.GraphProto`` in place."""
    view = _GraphView(graph)
    hard_swishes = _replace_hard_swishes(view)
    folded = _fold_affines_into_convolutions(view)
    view.commit()
    return GraphRewrite(hard_swishes, folded)


class _GraphView:
    """Constants, producers and consumers of a graph's values, and the edits to make."""

    def __init__(self, graph: Any) -> None:
        from onnx import numpy_helper

        self.graph = graph
        self.constants: dict[str, np.ndarray] = {
            init.name: numpy_helper.to_array(init) for init in graph.initializer
        }
        for node in graph.node:
            if node.op_type == "Constant" and node.attribute and node.attribute[0].name == "value":
                self.constants[node.output[0]] = numpy_helper.to_array(node.attribute[0].t)
        self.consumers: dict[str, list[Any]] = defaultdict(list)
        for node in graph.node:
            for name in node.input:
                self.consumers[name].append(node)
        self.outputs = {value.name for value in graph.output}
        self.removed: set[int] = set()
        self.replacements: dict[int, list[Any]] = {}

    def only_consumer(self, value: str) -> Any | None:
        """The one node reading ``value``, if no other node and no graph output reads it."""
        readers = self.consumers[value]
        if len(readers) != 1 or value in self.outputs or id(readers[0]) in self.removed:
            return None
        return readers[0]

    def other_input(self, node: Any, value: str) -> str | None:
        others = [name for name in node.input if name != value]
        return others[0] if len(others) == 1 else None

    def is_scalar(self, value: str | None, expected: float) -> bool:
        array = self.constants.get(value) if value is not None else None
        return array is not None and array.size == 1 and float(array.reshape(-1)[0]) == expected

    def add_constant(self, name: str, array: np.ndarray) -> None:
        from onnx import numpy_helper

        self.graph.initializer.append(numpy_helper.from_array(array.astype(np.float32), name))
        self.constants[name] = array

    def commit(self) -> None:
        """Rebuild the node list with the edits, then drop constants nothing reads any more."""
        nodes: list[Any] = []
        for node in self.graph.node:
            if id(node) in self.replacements:
                nodes.extend(self.replacements[id(node)])
            elif id(node) not in self.removed:
                nodes.append(node)
        read = {name for node in nodes for name in node.input} | self.outputs
        nodes = [n for n in nodes if n.op_type != "Constant" or n.output[0] in read]
        del self.graph.node[:]
        self.graph.node.extend(nodes)
        kept = [init for init in self.graph.initializer if init.name in read]
        del self.graph.initializer[:]
        self.graph.initializer.extend(kept)


def _replace_hard_swishes(view: _GraphView) -> int:
    """``Div(Mul(x, Clip(Add(x, 3), 0, 6)), 6)`` → ``Mul(x, HardSigmoid(x))``."""
    from onnx import helper

    count = 0
    for add in list(view.graph.node):
        if add.op_type != "Add" or id(add) in view.removed:
            continue
        x = next((name for name in add.input if name not in view.constants), None)
        if x is None or not view.is_scalar(view.other_input(add, x), 3.0):
            continue
        clip = view.only_consumer(add.output[0])
        if clip is None or clip.op_type != "Clip" or len(clip.input) != 3:
            continue
        if not (view.is_scalar(clip.input[1], 0.0) and view.is_scalar(clip.input[2], 6.0)):
            continue
        mul = view.only_consumer(clip.output[0])
        if mul is None or mul.op_type != "Mul" or sorted(mul.input) != sorted([x, clip.output[0]]):
            continue
        div = view.only_consumer(mul.output[0])
        if div is None or div.op_type != "Div" or div.input[0] != mul.output[0]:
            continue
        if not view.is_scalar(div.input[1], 6.0):
            continue
        gate = f"{div.output[0]}_gate"
        view.removed.update({id(clip), id(mul), id(div)})
        view.replacements[id(add)] = [
            helper.make_node("HardSigmoid", [x], [gate], name=gate, alpha=1 / 6, beta=0.5),
            helper.make_node("Mul", [x, gate], [div.output[0]], name=f"{div.output[0]}_swish"),
        ]
        count += 1
    return count


def _fold_affines_into_convolutions(view: _GraphView) -> int:
    """``Add(Mul(Conv(x, W, c), s), t)`` → ``Conv(x, s·W, s·c + t)`` for per-channel s, t."""
    count = 0
    for conv in view.graph.node:
        if conv.op_type != "Conv" or len(conv.input) < 2:
            continue
        weights = view.constants.get(conv.input[1])
        if weights is None or len(view.consumers[conv.input[1]]) != 1:
            continue
        channels = weights.shape[0]
        mul = view.only_consumer(conv.output[0])
        scale = _channel_vector(view, mul, conv.output[0], "Mul", channels)
        if mul is None or scale is None:
            continue
        add = view.only_consumer(mul.output[0])
        shift = _channel_vector(view, add, mul.output[0], "Add", channels)
        if add is None or shift is None:
            continue
        bias = view.constants.get(conv.input[2]) if len(conv.input) > 2 else None
        if len(conv.input) > 2 and bias is None:
            continue
        bias = np.zeros(channels, np.float32) if bias is None else bias
        folded_weights, folded_bias = f"{conv.name}_folded_w", f"{conv.name}_folded_b"
        view.add_constant(folded_weights, weights * scale.reshape(-1, 1, 1, 1))
        view.add_constant(folded_bias, bias * scale + shift)
        inputs = [conv.input[0], folded_weights, folded_bias]
        del conv.input[:]
        conv.input.extend(inputs)
        conv.output[0] = add.output[0]
        view.removed.update({id(mul), id(add)})
        count += 1
    return count


def _channel_vector(
    view: _GraphView, node: Any | None, value: str, op_type: str, channels: int
) -> np.ndarray | None:
    """The constant operand of ``node`` (an ``op_type`` reading ``value``) as one number per
    output channel, if it is a scalar or a per-channel constant."""
    if node is None or node.op_type != op_type:
        return None
    other = view.other_input(node, value)
    array = view.constants.get(other) if other is not None else None
    if array is None:
        return None
    if array.size == 1:
        return np.full(channels, float(array.reshape(-1)[0]), np.float32)
    if array.size == channels and array.shape[-2:] in ((1, 1), (channels,)):
        return array.reshape(channels).astype(np.float32)
    return None
