import json

import numpy as np

from contextgen_train.configs import get_config
from contextgen_train.data import collate, process
from contextgen_train.imig100k import Imig100kReader
from contextgen_train.png import read_png, write_png
from contextgen_train.tokenizer import WordTokenizer


def test_png_round_trip(tmp_path):
    img = np.random.default_rng(0).integers(0, 255, (5, 7, 4), dtype=np.uint8)
    write_png(tmp_path / "a.png", img)
    assert np.array_equal(read_png(tmp_path / "a.png"), img)


def make_sample(folder, with_layout: bool):
    folder.mkdir()
    target = np.zeros((48, 64, 3), np.uint8)
    target[:, :, 2] = 200
    write_png(folder / "image.png", target)
    ref = np.zeros((20, 10, 4), np.uint8)
    ref[..., 0], ref[2:18, 2:8, 3] = 250, 255
    write_png(folder / "ref_0.png", ref)
    info = {"caption": "A red Box on blue", "width": 64, "height": 48,
            "instances": [{"image": "ref_0.png", "bbox": [20, 8, 44, 40], "label": "box", "phrase": "red box"}]}
    if with_layout:
        write_png(folder / "layout.png", np.full((48, 64, 3), 128, np.uint8))
        info["layout_image"] = "layout.png"
    (folder / "segment_info.json").write_text(json.dumps(info))


def test_reader_maps_boxes_and_composes_layout(tmp_path):
    make_sample(tmp_path / "s0", with_layout=False)
    make_sample(tmp_path / "s1", with_layout=True)
    r = Imig100kReader(tmp_path, size=32, ref_size=16)
    assert len(r) == 2 and r.meta["vocab"][:3] == ["a", "red", "box"]
    s = r[0]
    assert s.target.shape == (32, 32, 3) and s.refs[0].shape == (16, 16, 4)
    # centre crop 48x48 from x 8, scale 32/48: box [20,8,44,40] -> [8, 5.33, 24, 26.67]
    assert np.allclose(s.header["instances"][0]["box"], [8, 16 / 3, 24, 80 / 3])
    assert s.layout[16, 16, 0] > 200 and (s.layout[0, 0] == 128).all()  # red cutout pasted in its box, rest empty
    assert (r[1].layout == 128).all()
    cfg = get_config("tiny")
    tok = WordTokenizer.build(r.meta["vocab"])
    b = collate([process(r[i], cfg, tok) for i in range(2)], cfg, [False, False])
    assert b.img.shape[0] == 2 and b.n_main == 16
