"""Builds tiny-matting.onnx, a hand-written stand-in for a matting model used by the imaging tests.

I/O follows the contract documented in packages/imaging/README.md:
  input  "image" float32 [1, 3, H, W], RGB in [0, 1]
  output "alpha" float32 [1, 1, H, W], alpha in [0, 1]
It marks dark pixels as subject: alpha = clip((1 - min over channels) * 4 - 1, 0, 1).
Run: .venv/bin/python packages/imaging/test-fixtures/make_tiny_matting.py
"""
from pathlib import Path

import onnx
from onnx import TensorProto, helper

here = Path(__file__).parent
one = helper.make_tensor("one", TensorProto.FLOAT, [], [1.0])
four = helper.make_tensor("four", TensorProto.FLOAT, [], [4.0])
lo = helper.make_tensor("lo", TensorProto.FLOAT, [], [0.0])
nodes = [
    helper.make_node("ReduceMin", ["image"], ["darkest"], axes=[1], keepdims=1),
    helper.make_node("Sub", ["one", "darkest"], ["inv"]),
    helper.make_node("Mul", ["inv", "four"], ["scaled"]),
    helper.make_node("Sub", ["scaled", "one"], ["shifted"]),
    helper.make_node("Clip", ["shifted", "lo", "one"], ["alpha"]),
]
graph = helper.make_graph(
    nodes,
    "tiny_matting",
    [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, "h", "w"])],
    [helper.make_tensor_value_info("alpha", TensorProto.FLOAT, [1, 1, "h", "w"])],
    initializer=[one, four, lo],
)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="contextgen-tests")
model.ir_version = 8
onnx.checker.check_model(model)
onnx.save(model, here / "tiny-matting.onnx")

# A model with two inputs: the matting loader must reject it with a clear error.
two = helper.make_graph(
    [helper.make_node("Add", ["image", "other"], ["alpha"])],
    "two_inputs",
    [
        helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, "h", "w"]),
        helper.make_tensor_value_info("other", TensorProto.FLOAT, [1, 3, "h", "w"]),
    ],
    [helper.make_tensor_value_info("alpha", TensorProto.FLOAT, [1, 3, "h", "w"])],
)
bad = helper.make_model(two, opset_imports=[helper.make_opsetid("", 13)], producer_name="contextgen-tests")
bad.ir_version = 8
onnx.save(bad, here / "two-input.onnx")
