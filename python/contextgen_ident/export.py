"""ONNX export of the identity network (fp32, dynamic batch)."""
from __future__ import annotations

import copy
import warnings
from pathlib import Path

import torch

from .model import CHANNELS, SIDE, IdentityNet

OPSET = 17


def export_onnx(net: IdentityNet, path: Path) -> None:
    module = copy.deepcopy(net).float().eval()
    ex = (torch.rand(2, CHANNELS, SIDE, SIDE), torch.rand(2, CHANNELS, SIDE, SIDE))
    axes = {"reference": {0: "N"}, "crop": {0: "N"}, "logit": {0: "N"}}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(module, ex, str(path), input_names=["reference", "crop"], output_names=["logit"],
                          dynamic_axes=axes, opset_version=OPSET, dynamo=False, do_constant_folding=True)
