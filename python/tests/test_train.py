
import pytest
import torch

from contextgen_train.checkpoint import load_checkpoint, save_checkpoint
from contextgen_train.configs import TrainConfig, get_config
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
