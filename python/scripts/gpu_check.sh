#!/usr/bin/env bash
# Device check of the CUDA path (bf16 + torch.compile, checkpoint parts, resume, DPO, export parity).
# Synthetic stand-in shards (tests/synth.py) at 128 px: figures are throughput, not quality.
# Usage on the device machine, from the repo root: bash python/scripts/gpu_check.sh  (writes to $OUT)
set -euo pipefail
OUT=${OUT:-/tmp/gpu-check}
export PYTHONPATH=python:python/tests
D=/tmp/cg-synth
python - <<PY
from synth import raw_sample, VOCAB
from contextgen_train.shards import write_shards
write_shards("$D", [raw_sample(i, size=128, ref_size=64, max_inst=4) for i in range(1024)], 128, 64, VOCAB)
PY
nvidia-smi --query-gpu=name,memory.used,memory.total --format=csv
python -m contextgen_train.gpu_run --out "$OUT/m1" --data "$D" --minutes ${M1:-2} --config embedded --batch ${BATCH:-64} 2> "$OUT/m1.err" || { tail -40 "$OUT/m1.err"; exit 1; }
tail -3 "$OUT/m1.err"
python -m contextgen_train.gpu_run --out "$OUT/m2" --resume-from "$OUT/m1" --data "$D" --minutes ${M2:-2.5} --dpo-fraction 0.3 --compile --batch ${BATCH:-64} 2> "$OUT/m2.err" || { tail -40 "$OUT/m2.err"; exit 1; }
tail -3 "$OUT/m2.err"
ls -la "$OUT/m1" "$OUT/m2"
find "$OUT" -name "*.onnx" -size +15M -delete   # over the 16 MiB transfer limit: re-export here from checkpoint.pt
