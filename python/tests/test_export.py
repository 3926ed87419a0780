import json

import onnx
import torch

from contextgen_train.configs import get_config
from contextgen_train.export import onnx_parity, write_model_folder
from contextgen_train.model import ContextGenDiT, init_weights
from contextgen_train.text_encoder import TextEncoder
from contextgen_train.tokenizer import WordTokenizer


def test_export_parity_and_manifest(tmp_path):
    torch.manual_seed(0)
    cfg = get_config("tiny")
    tok = WordTokenizer.build(["cat", "dog", "on", "the", "beach"])
    model, enc = ContextGenDiT(cfg), TextEncoder(cfg, len(tok))
    init_weights(model, zero_gates=False)
    write_model_folder(tmp_path, cfg, model, enc, tok, "t", False, {"hardware": "cpu"})
    err = onnx_parity(model, enc, tmp_path)  # other batch and token counts than the traced ones
    print(f"export parity max abs error: {err}")
    assert err["denoiser"] <= 1e-4 and err["textEncoder"] <= 1e-4
    m = json.loads((tmp_path / "model.json").read_text())
    assert m["format"] == "contextgen-model/1" and m["trained"] is False
    assert m["layerKinds"] == ["cla", "cla", "ica", "cla"]
    assert set(m["io"]["denoiser"]["inputs"]) == {"txt", "img", "pos", "seg", "inst", "cover", "valid", "t"}
    g = onnx.load(str(tmp_path / "denoiser.onnx")).graph
    assert [i.name for i in g.input] == ["txt", "img", "pos", "seg", "inst", "cover", "valid", "t"]
    dims = {i.name: [d.dim_param or d.dim_value for d in i.type.tensor_type.shape.dim] for i in g.input}
    assert dims["img"] == ["B", "Nimg", 192] and dims["seg"] == ["B", "N"]
    assert json.loads((tmp_path / "vocab.json").read_text())["tokens"][:3] == ["<pad>", "<unk>", "<bos>"]
