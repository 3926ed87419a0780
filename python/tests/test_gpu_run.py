"""The gpu_run entry point end to end on CPU with the tiny config: fresh run, then a resumed run that
gets its data from --data-cmd and switches to DPO."""

import json
from pathlib import Path
import sys

import onnxruntime as ort

from contextgen_train import gpu_run
from contextgen_train.checkpoint import load_checkpoint
from contextgen_train.shards import write_shards
from synth import VOCAB, raw_sample

WRITER = """
import sys; sys.path[:0] = {paths!r}
from synth import VOCAB, raw_sample
from contextgen_train.shards import write_shards
write_shards(sys.argv[1], [raw_sample(i) for i in range(10)], 32, 16, VOCAB)
"""


def test_gpu_run_cpu_path(tmp_path, monkeypatch):
    data = tmp_path / "data"
    write_shards(data, [raw_sample(i) for i in range(10)], 32, 16, VOCAB)
    out1, out2 = tmp_path / "m1", tmp_path / "m2"
    common = ["--minutes", "5", "--reserve-s", "0", "--batch", "4", "--trained-min-steps", "5"]
    s1 = gpu_run.main(["--out", str(out1), "--data", str(data), "--config", "tiny", "--max-steps", "3",
                       "--buckets", "1,2", "--group", "3", *common])
    assert s1["step"] == 3 and s1["parity_max_abs"]["denoiser"] <= 1e-4
    assert s1["group"] == 3 and len(s1["buckets"]["txt"]) == 1 and 1 <= len(s1["buckets"]["img"]) <= 2
    row = json.loads((out1 / "train_log.jsonl").read_text().splitlines()[-1])
    assert row["tflops"] > 0 and 0 <= row["data_wait"] <= 1 and "mfu" not in row  # no known peak on CPU
    assert load_checkpoint(out1 / "checkpoint.pt")["train_config"]["lr_decay_steps"] == 4  # auto: the end (step 3) + 1
    m1 = json.loads((out1 / "model.json").read_text())
    assert m1["trained"] is False and m1["provenance"]["steps"] == 3 and m1["provenance"]["dataSamples"] == 10
    assert len((out1 / "train_log.jsonl").read_text().splitlines()) == 3

    script = tmp_path / "writer.py"
    tests = Path(__file__).resolve().parent  # synth.py here, contextgen_train one level up
    script.write_text(WRITER.format(paths=[str(tests), str(tests.parent)]))
    monkeypatch.setenv("CONTEXTGEN_DATA_TMP", str(tmp_path / "cmd"))
    s2 = gpu_run.main(["--out", str(out2), "--resume-from", str(out1), "--data-cmd",
                       f"{sys.executable} {script} {{data}}", "--max-steps", "6", "--dpo-at-step", "5", *common])
    assert s2["steps_this_call"] == 3 and s2["step"] == 6
    m2 = json.loads((out2 / "model.json").read_text())
    assert m2["trained"] is True and m2["provenance"]["steps"] == 6
    assert m2["provenance"]["samplesSeen"] == 6 * 4 and m2["provenance"]["stage"] == "dpo"
    rows = [json.loads(x) for x in (out2 / "train_log.jsonl").read_text().splitlines()]
    assert [r["stage"] for r in rows] == ["sft", "sft", "dpo"] and "dpo_acc" in rows[-1]
    ck = load_checkpoint(out2 / "checkpoint.pt")
    assert ck["step"] == 6 and ck["vocab"][:3] == ["<pad>", "<unk>", "<bos>"]
    sess = ort.InferenceSession(str(out2 / "denoiser.onnx"))
    assert [i.name for i in sess.get_inputs()] == ["txt", "img", "pos", "seg", "inst", "cover", "valid", "t"]


def test_reexport_from_checkpoint_reproduces_the_folder(tmp_path):
    from contextgen_train.export import export_from_checkpoint

    data = tmp_path / "data"
    write_shards(data, [raw_sample(i) for i in range(4)], 32, 16, VOCAB)
    out = tmp_path / "m"
    gpu_run.main(["--out", str(out), "--data", str(data), "--config", "tiny", "--max-steps", "2", "--minutes", "5",
                  "--reserve-s", "0", "--batch", "2", "--lean-checkpoint"])
    before = json.loads((out / "model.json").read_text())
    (out / "denoiser.onnx").unlink()
    err = export_from_checkpoint(out, tmp_path / "again")
    assert err["denoiser"] <= 1e-4
    assert json.loads((tmp_path / "again" / "model.json").read_text()) == before
    assert load_checkpoint(out / "checkpoint.pt")["optimizer"] is None


def test_torchrun_two_processes_train_in_step(tmp_path):
    """The multi-GPU path with no code change: torchrun with 2 CPU processes (gloo). Each rank takes its own
    share of every global batch and DDP averages the gradients, so the run sees 2 x batch samples a step;
    rank 0 writes the model folder."""
    import os
    import subprocess

    data = tmp_path / "data"
    write_shards(data, [raw_sample(i) for i in range(12)], 32, 16, VOCAB)
    out = tmp_path / "ddp"
    tests = Path(__file__).resolve().parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tests), str(tests.parent)]), "OMP_NUM_THREADS": "1"}
    torchrun = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2"]
    r = subprocess.run([*torchrun, "-m", "contextgen_train.gpu_run", "--out", str(out), "--data", str(data),
                        "--config", "tiny", "--max-steps", "3", "--minutes", "5", "--reserve-s", "0", "--batch", "2",
                        "--device", "cpu"], env=env, capture_output=True, text=True, timeout=240)
    assert r.returncode == 0, r.stderr[-3000:]
    run = json.loads((out / "run.json").read_text())
    assert run["step"] == 3 and run["device"].startswith("2x")
    prov = json.loads((out / "model.json").read_text())["provenance"]
    assert prov["samplesSeen"] == 3 * 2 * 2
