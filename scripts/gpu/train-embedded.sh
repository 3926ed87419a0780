#!/usr/bin/env bash
# One call on the lent GPU machine: build IMIG-Synth data with the carried Node renderer,
# train the embedded model (resuming from models/embedded when present), export, and write
# everything the lead needs into $OUT (files < 16 MiB, at most 8).
#   usage: bash scripts/gpu/train-embedded.sh MINUTES SAMPLES SEED
# Needs: .gpu/ (carried; built by scripts/device/pack.sh), PyTorch on the machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
MINUTES=${1:-6}; SAMPLES=${2:-60000}; SEED=${3:-1}
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 PYTHONPATH="$PWD/python${PYTHONPATH:+:$PYTHONPATH}"
LOG="$OUT/run.log"
{
  echo "== machine"; nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || true; nproc
  echo "== data ($SAMPLES samples, seed $SEED)"
  t0=$(date +%s)
  bash scripts/device/gen-data.sh /tmp/imig "$SAMPLES" "$SEED" "$(( $(nproc) - 2 ))"
  echo "data seconds: $(( $(date +%s) - t0 ))"
  RESUME=()
  if [ -f models/embedded/model.json ]; then RESUME=(--resume-from models/embedded); fi
  echo "== train"
  python3 -m contextgen_train.gpu_run --config embedded --data /tmp/imig --out /tmp/model \
    --minutes "$MINUTES" --data-seed "$SEED" "${RESUME[@]}"
} 2>&1 | tee "$LOG"
# Bring back: the model folder as one tarball split below 16 MiB (the tool returns at most 8 files).
tar -C /tmp/model -cf - . | split -b 15000000 -d - "$OUT/model.tar.part"
ls -la "$OUT"
