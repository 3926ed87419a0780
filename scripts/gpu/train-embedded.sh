#!/usr/bin/env bash
# One call on the lent GPU machine: build IMIG-Synth data with the carried Node renderer,
# train the embedded model (resuming from models/embedded when it holds a checkpoint), export,
# and bring the model folder back through $OUT as a tarball split below 16 MiB.
#   usage: bash scripts/gpu/train-embedded.sh MINUTES SAMPLES SEED
#   env:   CONFIG (embedded), BATCH (128), DPO_FRACTION (0.15), WORKERS (cpus-2), DEVICE (auto),
#          EXTRA (more gpu_run flags, e.g. "--compile --attention flex")
# Needs: .gpu/ (carried; built by scripts/device/pack.sh) and PyTorch. Rehearse on CPU with
#   CONFIG=tiny DEVICE=cpu BATCH=8 OUT=/tmp/rehearsal bash scripts/gpu/train-embedded.sh 0.5 300 1
set -euo pipefail
cd "$(dirname "$0")/../.."
MINUTES=${1:-3.4}; SAMPLES=${2:-24000}; SEED=${3:-1}
CONFIG=${CONFIG:-embedded}; BATCH=${BATCH:-128}; DPO_FRACTION=${DPO_FRACTION:-0.15}
NCPU=$(nproc); WORKERS=${WORKERS:-$(( NCPU > 3 ? NCPU - 2 : 1 ))}
OUT=${OUT:-/tmp/out}; WORK=${WORK:-/tmp/cg-train}; mkdir -p "$OUT"; rm -rf "$WORK"; mkdir -p "$WORK"
export PYTHONUNBUFFERED=1 PYTHONPATH="$PWD/python${PYTHONPATH:+:$PYTHONPATH}"
PY=${PYTHON:-python3}
RESUME=()
if compgen -G "models/embedded/checkpoint.pt*" >/dev/null && [ "$CONFIG" = embedded ]; then RESUME=(--resume-from models/embedded); fi
{
  echo "== machine: $(nvidia-smi --query-gpu=name,memory.total --format=csv,noheader 2>/dev/null || echo no GPU), $NCPU cpus"
  echo "== data: $SAMPLES samples, seed $SEED, $WORKERS workers"
  t0=$(date +%s)
  sh scripts/device/gen-data.sh "$WORK/data" "$SAMPLES" "$SEED" "$WORKERS"
  echo "data seconds: $(( $(date +%s) - t0 ))"
  echo "== train ($CONFIG, batch $BATCH, ${MINUTES} min, DPO share $DPO_FRACTION, resume: ${RESUME[*]:-none})"
  "$PY" -m contextgen_train.gpu_run --config "$CONFIG" --data "$WORK/data" --out "$WORK/model" \
    --minutes "$MINUTES" --batch "$BATCH" --dpo-fraction "$DPO_FRACTION" --lean-checkpoint \
    --device "${DEVICE:-auto}" --reserve-s "${RESERVE_S:-25}" "${RESUME[@]}" ${EXTRA:-}
} 2>&1 | tee "$OUT/run.log"
# The tool returns at most 8 files of < 16 MiB: one tarball, split.
tar -C "$WORK/model" -cf - . | split -b 15000000 -d - "$OUT/model.tar.part"
ls -la "$OUT"
