"""The convolutional output head (`ModelConfig.head = "conv"`, layers.SeamHead): the same function as two
3x3 convolutions over the whole image the main tokens form, other rows untouched, and exportable with
dynamic token counts (non-square images)."""

import dataclasses

import torch
import torch.nn.functional as F

from contextgen_train.configs import get_config
from contextgen_train.dummy import DENOISER_INPUTS, dummy_inputs
from contextgen_train.export import onnx_parity, write_model_folder
from contextgen_train.layers import SeamHead
from contextgen_train.masks import MAIN
from contextgen_train.model import ContextGenDiT, init_weights
from contextgen_train.patches import unpatchify
from contextgen_train.plan import token_plan
from contextgen_train.text_encoder import TextEncoder
from contextgen_train.tokenizer import WordTokenizer

CONV = dataclasses.replace(get_config("tiny"), head="conv").check()


def test_seam_head_is_a_convolution_over_the_main_image():
    torch.manual_seed(0)
    P, H, W = 8, 3, 5  # a 24 x 40 image: 15 main tokens, then layout / other rows
    plan = token_plan(W * P, H * P, P, 2, [1], [(0, 0, 16, 16)], [None])
    n_txt = plan.n_txt
    pos, seg = torch.from_numpy(plan.pos[n_txt:])[None], torch.from_numpy(plan.seg[n_txt:])[None]
    head = SeamHead(P)
    torch.nn.init.normal_(head.conv2.weight, std=0.1)
    out = torch.randn(2, pos.shape[1], P * P * 3)
    got = head(out, pos.expand(2, -1, -1), (seg == MAIN).expand(2, -1))
    n = H * W
    img = unpatchify(out[:, :n], H, W, P).permute(0, 3, 1, 2)  # [2, 3, 24, 40]
    ref = head.conv2(F.gelu(head.conv1(F.pad(img, (2, 2, 2, 2))))) + img
    assert torch.allclose(unpatchify(got[:, :n], H, W, P).permute(0, 3, 1, 2), ref, atol=1e-5)
    assert torch.equal(got[:, n:], out[:, n:])  # layout, references: the linear head's output


def test_conv_head_starts_as_the_identity_and_exports(tmp_path):
    torch.manual_seed(0)
    model = ContextGenDiT(CONV)
    ex = dummy_inputs(CONV, batch=1, instances=2)
    assert torch.count_nonzero(model(*(ex[k] for k in DENOISER_INPUTS))) == 0  # zero init, like the linear head
    init_weights(model, zero_gates=False)
    torch.nn.init.normal_(model.seam_head.conv2.weight, std=0.1)
    tok = WordTokenizer.build(["cat", "dog", "on", "the", "beach"])
    enc = TextEncoder(CONV, len(tok))
    write_model_folder(tmp_path, CONV, model, enc, tok, "t", False, {"hardware": "cpu"})
    err = onnx_parity(model, enc, tmp_path)  # other batch and token counts than the traced ones
    assert err["denoiser"] <= 1e-4, err

    # a non-square image through the exported graph: the grid comes from the position ids, not the shapes
    import onnxruntime as ort

    plan = token_plan(40, 24, 8, 3, [1, 2], [(0, 0, 16, 16), (8, 8, 40, 24)], [None, None])
    g = torch.Generator().manual_seed(1)
    t = lambda a: torch.from_numpy(a)[None]  # noqa: E731
    feeds = {"txt": torch.randn(1, plan.n_txt, CONV.text_dim, generator=g),
             "img": torch.randn(1, plan.n_img, CONV.patch_dim, generator=g), "pos": t(plan.pos), "seg": t(plan.seg),
             "inst": t(plan.inst), "cover": t(plan.cover), "valid": t(plan.valid), "t": torch.tensor([0.7])}
    with torch.no_grad():
        ref = model.eval()(*(feeds[k] for k in DENOISER_INPUTS)).numpy()
    sess = ort.InferenceSession(str(tmp_path / "denoiser.onnx"), providers=["CPUExecutionProvider"])
    got = sess.run(["out"], {k: v.numpy() for k, v in feeds.items()})[0]
    assert abs(ref - got).max() <= 1e-4
