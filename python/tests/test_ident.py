"""The identity network's trainer: pair file reading, a short training run that learns to tell
a pattern from a blurred or different one, and ONNX export parity."""
import json

import numpy as np
import onnxruntime as ort
import pytest
import torch

from contextgen_ident.data import PLANE, RECORD, load_pairs, to_tensor
from contextgen_ident.export import export_onnx
from contextgen_ident.model import IdentityNet
from contextgen_ident.train import colour_neighbours, evaluate, train

KINDS = ["genuine", "layout", "blurred", "mosaic", "impostor"]


def _pattern(ident: int) -> np.ndarray:
    g = np.random.default_rng(1000 + ident)
    base = g.integers(0, 256, (3, 8, 8)).astype(np.float32)
    rgb = np.kron(base, np.ones((1, 4, 4), np.float32))  # 32 x 32, 4-px detail
    return rgb


def _record(kind: str, ident: int, rng: np.random.Generator) -> bytes:
    yy, xx = np.mgrid[:32, :32]
    mask = ((yy - 16) ** 2 + (xx - 16) ** 2 < 196).astype(np.float32)
    ref = _pattern(ident)
    if kind in ("genuine", "layout"):
        crop = ref * rng.uniform(0.85, 1.15)
    elif kind == "impostor":
        crop = _pattern(ident + 1)
    else:  # blurred / mosaic: the mean colour everywhere
        crop = np.broadcast_to(ref.mean(axis=(1, 2), keepdims=True), ref.shape)
    def tensor(rgb):
        return np.concatenate([np.clip(rgb, 0, 255) * mask, 255 * mask[None]]).astype(np.uint8)
    head = bytes([KINDS.index(kind), ident & 255, ident >> 8])
    return head + tensor(ref).tobytes() + tensor(crop).tobytes()


def _write(folder, n_ident=40, seed=0):
    rng = np.random.default_rng(seed)
    recs = [_record(k, i, rng) for i in range(n_ident) for k in KINDS for _ in range(2)]
    (folder / "pairs.bin").write_bytes(b"".join(recs))
    (folder / "pairs.json").write_text(json.dumps({
        "format": "contextgen-ident-pairs/1", "record": {"bytes": RECORD}, "kinds": KINDS, "records": len(recs)}))
    return len(recs)


def test_record_layout_matches_the_exporter():
    # packages/bench/src/ident/pairs.ts: kind u8, identity u16 LE, two 4x32x32 u8 tensors
    assert RECORD == 3 + 2 * 4 * 32 * 32 and PLANE == 4 * 32 * 32


def test_load_pairs_reads_fields_and_refuses_truncated_files(tmp_path):
    n = _write(tmp_path)
    p = load_pairs(tmp_path)
    assert len(p.kind) == n and p.reference.shape == (n, 4, 32, 32)
    assert set(p.identity.tolist()) == set(range(40))
    assert p.label.sum() == n * 2 / 5  # genuine and layout are the positives
    # an export stopped mid-sample: records beyond pairs.json's count are ignored
    (tmp_path / "pairs.bin").write_bytes((tmp_path / "pairs.bin").read_bytes() + b"partial")
    assert len(load_pairs(tmp_path).kind) == n
    (tmp_path / "pairs.bin").write_bytes((tmp_path / "pairs.bin").read_bytes()[:-RECORD])
    with pytest.raises(ValueError, match="truncated"):
        load_pairs(tmp_path)


def test_missing_export_names_the_command(tmp_path):
    with pytest.raises(FileNotFoundError, match="ident-pairs"):
        load_pairs(tmp_path)


def test_colour_neighbours_never_pick_the_same_identity():
    crop = torch.rand(6, 4, 32, 32)
    crop[:, 3] = 1
    ident = torch.tensor([0, 0, 1, 1, 2, 2])
    nb = colour_neighbours(crop, ident)
    assert (ident[nb] != ident).all()


def test_short_training_separates_genuine_from_blobs_and_impostors(tmp_path):
    torch.set_num_threads(1)
    _write(tmp_path, n_ident=50)
    pairs = load_pairs(tmp_path)
    net, info = train(pairs, minutes=2, seed=0, batch=64, epochs=14, log=lambda s: None)
    assert info["steps"] > 10
    # Held-out identities (every 10th): each kind mostly on the right side of the threshold.
    for kind, v in info["validation"].items():
        assert v["right"] >= 0.75, (kind, info["validation"])
    untrained = evaluate(IdentityNet(), pairs)
    assert sum(v["right"] for v in info["validation"].values()) > sum(v["right"] for v in untrained.values())


def test_onnx_export_matches_torch(tmp_path):
    torch.manual_seed(0)
    net = IdentityNet().eval()
    path = tmp_path / "net.onnx"
    export_onnx(net, path)
    ref, crop = torch.rand(3, 4, 32, 32), torch.rand(3, 4, 32, 32)
    ref[:, 3] = (ref[:, 3] > 0.3).float()
    with torch.no_grad():
        want = net(ref, crop).numpy()
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = sess.run(["logit"], {"reference": ref.numpy(), "crop": crop.numpy()})[0]
    assert got.shape == (3,)
    np.testing.assert_allclose(got, want, atol=1e-4)
    assert path.stat().st_size < 2_000_000


def test_concat_drops_records_repeated_by_overlapping_exports(tmp_path):
    from contextgen_ident.data import concat_pairs
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    _write(a, n_ident=10, seed=0)
    _write(b, n_ident=10, seed=0)  # the same records again
    one = load_pairs(a)
    both = concat_pairs([one, load_pairs(b)])
    # within one export the genuine/layout records of an identity differ (random gain), the rest repeat
    assert len(both.kind) == len(concat_pairs([one, one]).kind) < 2 * len(one.kind)
    assert both.meta["duplicatesDropped"] == 2 * len(one.kind) - len(both.kind)


def test_texture_negatives_stay_inside_the_reference_mask():
    from contextgen_ident.data import texture_negatives
    ref = torch.zeros(4, 4, 32, 32)
    ref[:, 3, 8:24, 8:24] = 1
    neg = texture_negatives(ref, torch.Generator().manual_seed(0))
    assert neg.shape == ref.shape
    assert torch.equal(neg[:, 3], ref[:, 3])
    assert neg[:, :3, :8].abs().sum() == 0 and neg[:, :3, 8:24, 8:24].sum() > 0
    # even rows: pixel noise (varies), odd rows: one flat colour
    inside = neg[:, :3, 8:24, 8:24]
    assert inside[0].std() > 0.05 and inside[1].std(dim=(1, 2)).max() < 1e-6


def test_concat_matches_kinds_by_name(tmp_path):
    from contextgen_ident.data import concat_pairs
    a = tmp_path / "a"
    a.mkdir()
    _write(a, n_ident=4)
    one = load_pairs(a)
    other = one.subset(np.arange(len(one.kind)))
    other.kinds = ["noise"] + one.kinds  # same records, kinds listed in another order
    other.kind = one.kind + 1
    other.crop = 255 - other.crop  # distinct bytes: not duplicates
    both = concat_pairs([one, other])
    assert both.kinds == one.kinds + ["noise"]
    names = [both.kinds[k] for k in both.kind]
    alone = concat_pairs([one, one])  # one export, its repeated records dropped
    expected = [alone.kinds[k] for k in alone.kind]
    assert names == expected + expected
