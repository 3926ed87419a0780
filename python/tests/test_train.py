
import copy
from pathlib import Path

import pytest
import torch

from contextgen_train.checkpoint import load_checkpoint, save_checkpoint
from contextgen_train.configs import ModelConfig, TrainConfig, get_config
from contextgen_train.data import StepBatches
from contextgen_train.shards import ShardReader, write_shards
from contextgen_train.tokenizer import WordTokenizer
from contextgen_train.train import Trainer
from synth import VOCAB, raw_sample

CFG = get_config("tiny")


@pytest.fixture(scope="module")
def batches(tmp_path_factory):
    folder = tmp_path_factory.mktemp("shards")
    write_shards(folder, [raw_sample(i) for i in range(12)], 32, 16, VOCAB)
    r = ShardReader(folder)
    tok = WordTokenizer.build(r.meta["vocab"])
    return StepBatches(r, CFG, tok, batch_size=4, seed=0, cond_dropout=0.2), len(tok)


def test_loss_goes_down_on_a_fixed_batch(batches):
    sb, vocab = batches
    tr = Trainer(CFG, TrainConfig(batch_size=4, lr=3e-3, warmup_steps=1, seed=0), vocab)
    batch = sb[0]

    def step():  # same batch, same noise and t every step
        tr.gen.manual_seed(0)
        return tr.train_step(batch)["loss"]

    first = step()
    for _ in range(40):
        last = step()
    assert last < 0.5 * first, (first, last)


def states_equal(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


@pytest.mark.parametrize("stage", ["sft", "dpo"])
def test_resume_is_exact(batches, tmp_path, stage):
    sb, vocab = batches
    tcfg = TrainConfig(batch_size=4, lr=1e-3, warmup_steps=2, seed=1)

    def fresh():
        tr = Trainer(CFG, tcfg, vocab)
        if stage == "dpo":
            tr.start_dpo()
        return tr

    a = fresh()
    for s in range(4):
        a.train_step(sb[s])
    b = fresh()
    for s in range(2):
        b.train_step(sb[s])
    save_checkpoint(b.state_dict(), tmp_path / "checkpoint.pt")
    c = Trainer(CFG, tcfg, vocab)
    c.load_state_dict(load_checkpoint(tmp_path / "checkpoint.pt"))
    for s in range(c.step, 4):
        c.train_step(sb[s])
    assert c.step == 4 and c.stage == stage
    assert states_equal(a.net.state_dict(), c.net.state_dict())
    assert states_equal(a.ema.state_dict(), c.ema.state_dict())
    assert not states_equal(a.net.state_dict(), fresh().net.state_dict())


def test_compact_checkpoint_splits_and_joins(tmp_path, monkeypatch):
    import contextgen_train.checkpoint as ck
    monkeypatch.setattr(ck, "PART_BYTES", 4096)
    state = {"w": torch.randn(3000), "step": 7, "ids": torch.arange(5)}
    files = save_checkpoint(state, tmp_path / "checkpoint.pt", compact=True)
    assert len(files) > 1 and all(f.stat().st_size <= 4096 for f in files)
    assert not (tmp_path / "checkpoint.pt").exists()
    back = load_checkpoint(tmp_path / "checkpoint.pt")
    assert back["w"].dtype == torch.float32 and torch.allclose(back["w"], state["w"], rtol=1e-2)
    assert back["step"] == 7 and torch.equal(back["ids"], state["ids"])
    save_checkpoint(state, tmp_path / "checkpoint.pt", compact=False, split=False)  # stale parts removed
    assert [p.name for p in tmp_path.iterdir()] == ["checkpoint.pt"]


def test_resume_from_another_devices_rng_state(batches, tmp_path):
    """A GPU checkpoint carries a CUDA generator state (16 bytes) that a CPU generator cannot take:
    resuming re-seeds from (seed, rank, step) instead, deterministically."""
    sb, vocab = batches
    tcfg = TrainConfig(batch_size=4, lr=1e-3, warmup_steps=2, seed=1)
    a = Trainer(CFG, tcfg, vocab)
    a.train_step(sb[0])
    state = a.state_dict()
    assert state["rng"]["gen_device"] == "cpu"
    state["rng"] = {**state["rng"], "gen": torch.zeros(16, dtype=torch.uint8), "cuda": torch.zeros(16, dtype=torch.uint8)}
    del state["rng"]["gen_device"]  # as written before gen_device existed: told apart by the state's size
    runs = []
    for _ in range(2):
        c = Trainer(CFG, tcfg, vocab)
        c.load_state_dict(copy.deepcopy(state))  # AdamW's load keeps (and then updates) the moment tensors
        c.train_step(sb[1])
        runs.append(c.net.state_dict())
    assert states_equal(*runs)


SHIPPED = Path(__file__).resolve().parents[2] / "models" / "embedded"


@pytest.mark.skipif(not (SHIPPED / "checkpoint.pt").exists(), reason="models/embedded/checkpoint.pt absent")
def test_shipped_gpu_checkpoint_resumes_on_cpu(tmp_path):
    """models/embedded was trained on an H100; one training step from it on CPU must run and move the weights."""
    ckpt = load_checkpoint(SHIPPED / "checkpoint.pt")
    cfg = ModelConfig.from_dict(ckpt["config"])
    tok = WordTokenizer(ckpt["vocab"])
    tdict = dict(ckpt["train_config"], betas=tuple(ckpt["train_config"]["betas"]), batch_size=2)
    tr = Trainer(cfg, TrainConfig(**tdict), len(tok))
    tr.load_state_dict(ckpt)
    step0 = tr.step
    before = {k: v.clone() for k, v in tr.net.state_dict().items()}
    write_shards(tmp_path, [raw_sample(i, size=cfg.image_size, ref_size=32, max_inst=2) for i in range(2)],
                 cfg.image_size, 32, VOCAB)
    sb = StepBatches(ShardReader(tmp_path), cfg, tok, batch_size=2, seed=0, cond_dropout=0.0)
    m = tr.train_step(sb[0])
    assert tr.step == step0 + 1 and m["loss"] == m["loss"]  # finite, not NaN
    assert not states_equal(before, tr.net.state_dict())


def test_cosine_lr_decay_after_warmup(batches):
    _, vocab = batches
    tr = Trainer(CFG, TrainConfig(lr=1e-3, warmup_steps=10, lr_decay_steps=110, lr_min_ratio=0.1), vocab)
    at = {}
    for s in (0, 9, 10, 60, 110, 500):
        tr.step = s
        at[s] = tr.lr()
    assert at[0] == pytest.approx(1e-4) and at[9] == pytest.approx(1e-3) and at[10] == pytest.approx(1e-3)
    assert at[60] == pytest.approx(0.55e-3) and at[110] == pytest.approx(1e-4) and at[500] == pytest.approx(1e-4)
    flat = Trainer(CFG, TrainConfig(lr=1e-3, warmup_steps=10), vocab)
    flat.step = 500
    assert flat.lr() == pytest.approx(1e-3)
