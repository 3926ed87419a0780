"""torch.compile on CPU: compiled and eager steps agree, and batches padded to one bucket never recompile
(torch._dynamo's counters); a batch of another bucket compiles once more.

The backend is aot_eager (dynamo capture + AOTAutograd forward/backward graphs, no code generation), so the
suite stays fast on a 2-core machine; CONTEXTGEN_TEST_INDUCTOR=1 runs the same checks with inductor
(C++ kernels: minutes on first run, cached after)."""

import os

import pytest
import torch
from torch._dynamo.utils import counters

from contextgen_train.buckets import Buckets
from contextgen_train.configs import TrainConfig, get_config
from contextgen_train.data import StepBatches
from contextgen_train.shards import ShardReader, write_shards
from contextgen_train.tokenizer import WordTokenizer
from contextgen_train.train import Trainer
from synth import VOCAB, raw_sample

CFG = get_config("tiny")
ONE = Buckets((48,), (96,))  # every tiny sample fits: one shape
BACKEND = "inductor" if os.environ.get("CONTEXTGEN_TEST_INDUCTOR") == "1" else "aot_eager"


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("shards")
    write_shards(folder, [raw_sample(i, max_inst=4) for i in range(24)], 32, 16, VOCAB)
    r = ShardReader(folder)
    tok = WordTokenizer.build(r.meta["vocab"])
    return r, tok


def graphs() -> int:
    return counters["stats"]["unique_graphs"]


@pytest.mark.parametrize("mode", ["model", "blocks"])
def test_compiled_matches_eager_and_never_recompiles_in_a_bucket(data, mode):
    r, tok = data
    sb = StepBatches(r, CFG, tok, 4, seed=0, cond_dropout=0.3, buckets=ONE)  # phrase rows, dropout vary per batch
    tcfg = TrainConfig(batch_size=4, lr=1e-3, warmup_steps=1, seed=0)
    torch._dynamo.reset()
    eager, comp = Trainer(CFG, tcfg, len(tok)), Trainer(CFG, tcfg, len(tok), compile=mode, compile_backend=BACKEND)
    comp.net.load_state_dict(eager.net.state_dict())
    for tr in (eager, comp):  # outputs that depend on the inputs from the first step
        torch.nn.init.normal_(tr.net.denoiser.final_layer.linear.weight, generator=torch.Generator().manual_seed(1),
                              std=0.02)
    comp.gen.set_state(eager.gen.get_state())
    comp.step = 0
    le = [eager.train_step(sb[s])["loss"] for s in range(4)]
    lc = [comp.train_step(sb[0])["loss"]]
    after_first = graphs()
    assert after_first > 0
    lc += [comp.train_step(sb[s])["loss"] for s in range(1, 4)]
    assert graphs() == after_first, "a batch of the same bucket recompiled"
    assert lc == pytest.approx(le, rel=1e-4, abs=1e-6)
    for (k, a), b in zip(eager.net.state_dict().items(), comp.net.state_dict().values()):
        assert torch.allclose(a, b, atol=2e-5), k
    other = StepBatches(r, CFG, tok, 4, seed=0, cond_dropout=0.3, buckets=Buckets((64,), (112,)))
    comp.train_step(other[0])
    assert graphs() > after_first  # a new bucket: one more compilation (the counter does count)


def test_compile_mode_is_checked(data):
    _, tok = data
    with pytest.raises(ValueError, match="compile="):
        Trainer(CFG, TrainConfig(), len(tok), compile="fast")
