#!/usr/bin/env bash
# One call on the lent GPU machine: time the published model's denoising step (random full-size FLUX.1-Kontext
# transformer + rank-512 LoRA, no weights) for the rows of issue 11 and print one table; bench-published.json
# and bench-published.md land in $OUT. About 4-6 minutes on an H200; the script stops starting rows at 400 s and
# the Python run is killed at 470 s, so a device call with timeout_s 540 always returns the table so far.
#   here, once:  bash scripts/gpu/fetch-bench-wheels.sh          (writes the ignored .whl/)
#   device run:  command "bash scripts/gpu/bench-published.sh", carry [".whl"], timeout_s 540
#   rehearsal:   bash scripts/gpu/bench-published.sh --tiny --device cpu --compile-backend aot_eager
# Extra arguments go to python/scripts/bench_published.py (--rows, --steps, --budget-s, --peak-tflops ...).
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PYTHON:-python3}
if [ -x .venv/bin/python ] && [ -z "${PYTHON:-}" ] && ! command -v nvidia-smi >/dev/null; then PY=.venv/bin/python; fi
if ! "$PY" -c "import diffusers, peft, torchao" 2>/dev/null && compgen -G ".whl/*.whl" >/dev/null; then
  "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl
  export PYTHONPATH="/tmp/site${PYTHONPATH:+:$PYTHONPATH}"
fi
export PYTHONUNBUFFERED=1 PYTHONPATH="$PWD/python${PYTHONPATH:+:$PYTHONPATH}" HF_HUB_OFFLINE=1
OUT=${OUT:-.cache/bench-published}; mkdir -p "$OUT"
echo "== $(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null || echo no GPU), $(nproc) cpus"
"$PY" -c "import torch, diffusers, peft; print('torch', torch.__version__, 'diffusers', diffusers.__version__, 'peft', peft.__version__)"
set -o pipefail
timeout 470 "$PY" python/scripts/bench_published.py --out "$OUT" "$@" 2>&1 | tee "$OUT/bench-published.log"
