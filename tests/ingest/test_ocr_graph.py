"""The rewritten PP-OCR graphs compute what the shipped ones do, with fewer element-wise steps,
and a graph without the patterns is left as it is."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import rapidocr_onnxruntime
from onnx import TensorProto, helper, numpy_helper

from assistant.ingest.loaders.ocr_graph import fuse_graph, write_fused_model

SHIPPED = Path(rapidocr_onnxruntime.__file__).parent / "models"


def _run(path: Path, feed: np.ndarray) -> np.ndarray:
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: feed})[0]


@pytest.mark.parametrize(
    ("name", "shape", "hard_swishes"),
    [
        ("ch_PP-OCRv4_rec_infer.onnx", (2, 3, 48, 320), 28),
        ("ch_PP-OCRv4_det_infer.onnx", (1, 3, 320, 256), 24),
    ],
)
def test_shipped_models_keep_their_outputs(
    tmp_path: Path, name: str, shape: tuple[int, ...], hard_swishes: int
) -> None:
    fused = tmp_path / name
    rewrite = write_fused_model(SHIPPED / name, fused)
    assert rewrite.hard_swishes == hard_swishes and rewrite.folded_affines == 28
    feed = np.random.default_rng(0).uniform(-1, 1, shape).astype(np.float32)
    np.testing.assert_allclose(_run(fused, feed), _run(SHIPPED / name, feed), atol=2e-4)
    ops = [node.op_type for node in onnx.load(str(fused)).graph.node]
    original = [node.op_type for node in onnx.load(str(SHIPPED / name)).graph.node]
    assert ops.count("Clip") == original.count("Clip") - hard_swishes
    assert len(ops) < len(original) - 3 * hard_swishes


def _constant(name: str, value: np.ndarray) -> onnx.TensorProto:
    return numpy_helper.from_array(value.astype(np.float32), name)


def test_a_padded_shift_that_is_not_a_hard_swish_is_left_alone() -> None:
    """``clip(x + 3, 0, 5) * x / 6`` is not a hard-swish; a Conv followed by a Mul whose other
    operand is computed (not a constant) cannot be folded."""
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["c"]),
        helper.make_node("Mul", ["c", "x"], ["m"]),
        helper.make_node("Add", ["m", "three"], ["a"]),
        helper.make_node("Clip", ["a", "zero", "five"], ["k"]),
        helper.make_node("Mul", ["m", "k"], ["p"]),
        helper.make_node("Div", ["p", "six"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 4, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 1, 4, 4])],
        [
            _constant("w", np.ones((1, 1, 1, 1))),
            _constant("three", np.array(3.0)),
            _constant("zero", np.array(0.0)),
            _constant("five", np.array(5.0)),
            _constant("six", np.array(6.0)),
        ],
    )
    before = [node.op_type for node in graph.node]
    rewrite = fuse_graph(graph)
    assert (rewrite.hard_swishes, rewrite.folded_affines) == (0, 0)
    assert [node.op_type for node in graph.node] == before
