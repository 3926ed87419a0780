#!/usr/bin/env bash
# GPU call: which attention path x compile mode x batch trains the embedded config fastest (steady
# samples/s, counted TFLOP/s, utilisation, loader wait, padding), on freshly rendered shards.
#   usage: bash scripts/gpu/speed-matrix.sh [SAMPLES] [SEED]
#   env:   COMBOS (sdpa:off,sdpa:blocks,flex:blocks), BATCHES (256,512), CAP_S (40 per row), STEPS (20),
#          DATA (an existing shard folder), CONFIG (embedded), DEVICE (auto)
# Rehearse on CPU: CONFIG=tiny DEVICE=cpu DATA=data/tiny32 BATCHES=8 CAP_S=60 bash scripts/gpu/speed-matrix.sh
# On the device (with .gpu carried): about 6 rows x 40 s + data; run(..., timeout_s=420).
set -euo pipefail
cd "$(dirname "$0")/../.."
SAMPLES=${1:-8000}; SEED=${2:-3}
OUT=${OUT:-/tmp/out}; WORK=${WORK:-/tmp/cg-speed}; mkdir -p "$OUT" "$WORK"
export PYTHONUNBUFFERED=1 PYTHONPATH="$PWD/python${PYTHONPATH:+:$PYTHONPATH}"
PY=${PYTHON:-python3}
NCPU=$(nproc); WORKERS=${WORKERS:-$(( NCPU > 3 ? NCPU - 2 : 1 ))}
{
  if [ -z "${DATA:-}" ]; then
    DATA="$WORK/data"
    sh scripts/device/gen-data.sh "$DATA" "$SAMPLES" "$SEED" "$WORKERS"
  fi
  "$PY" python/scripts/speed_matrix.py "$DATA" --config "${CONFIG:-embedded}" --device "${DEVICE:-auto}" \
    --combos "${COMBOS:-sdpa:off,sdpa:blocks,flex:blocks}" --batches "${BATCHES:-256,512}" \
    --cap-s "${CAP_S:-40}" --steps "${STEPS:-20}" --workers "$WORKERS"
} 2>&1 | tee "$OUT/speed-matrix.log"
