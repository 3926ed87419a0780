"""The recipe proxy's pieces (python/scripts/proxy_recipes.py): the seam measure, the candidates'
configs, and the table."""

import dataclasses
import importlib.util
from pathlib import Path

import numpy as np

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "proxy_recipes.py"
spec = importlib.util.spec_from_file_location("proxy_recipes", SCRIPT)
proxy = importlib.util.module_from_spec(spec)
spec.loader.exec_module(proxy)


def test_seam_ratio_sees_blocks_and_not_smooth_images():
    rng = np.random.default_rng(0)
    blocks = np.kron(rng.random((8, 8, 3)) * 255, np.ones((8, 8, 1)))  # constant 8x8 tokens: steps only at borders
    smooth = np.add.outer(np.arange(64.0), np.arange(64.0))[..., None].repeat(3, -1)
    assert proxy.seam_ratio(blocks) > 100
    assert abs(proxy.seam_ratio(smooth) - 1) < 1e-9


def test_candidates_are_valid_configs_and_keep_the_method():
    assert len(proxy.CANDIDATES) >= 5 and "base" in proxy.CANDIDATES
    for name, spec in proxy.CANDIDATES.items():
        cfg = dataclasses.replace(proxy.PROXY, **spec["cfg"]).check()
        assert cfg.image_size == 64 and set(cfg.kinds) == {"cla", "ica"}, name
        proxy.TrainConfig(**spec["train"])  # known fields only


def test_table_sorts_by_val_loss_and_shows_the_delta():
    rows = [{"name": n, "val_loss": v, "box_l1": 1.0, "seam": 1.0, "samples": 16, "sft_steps": 1, "dpo_steps": 0,
             "gflop_per_sft_step": 1.0, "train_s": 1.0} for n, v in (("base", 0.5), ("conv-head", 0.4))]
    lines = proxy.table(rows).splitlines()
    assert lines[2].startswith("| conv-head ") and "(-0.1000)" in lines[2] and lines[3].startswith("| base")
