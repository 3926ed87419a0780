#!/usr/bin/env bash
# One call on the lent GPU machine: build IMIG-Synth data with the carried Node renderer,
# train the embedded model (resuming from models/embedded when it holds a checkpoint), export,
# and bring the model folder back through $OUT as a tarball split below 16 MiB.
#   usage: bash scripts/gpu/train-embedded.sh MINUTES SAMPLES SEED
#   env:   CONFIG (embedded), BATCH (256; "auto" = largest that fits), DPO_FRACTION (0.05),
#          WORKERS (cpus-2), DEVICE (auto), COMPILE (blocks | model | off), BUCKETS (2,4 | off),
#          GROUP (16), DATA (an existing shard folder: skip rendering), NO_RESUME (1: start fresh),
#          EXTRA (more gpu_run flags, e.g. "--attention flex --compile-dynamic")
# Needs: .gpu/ (carried; built by scripts/device/pack.sh) unless DATA is given, and PyTorch.
# The log (run.log) has samples/s, counted TFLOP/s, utilisation (mfu) and data_wait every few steps;
# run.json the call's totals. Rehearse on CPU (tiny config, a few steps, compiled):
#   CONFIG=tiny DEVICE=cpu BATCH=8 NO_RESUME=1 OUT=/tmp/rehearsal bash scripts/gpu/train-embedded.sh 1 300 1
# On the device: run(command="bash scripts/gpu/train-embedded.sh 5 24000 2", carry=[".gpu"], timeout_s=540)
# (data ~1 min + 5 min + export) leaves room in a 15-minute lease for the machine's start. Compiled steps
# compile once per bucket, and the DPO stage (2B rows) once more per bucket: the first steps of each
# stage are slow and the run can end a little after MINUTES; COMPILE=off avoids that for very short calls.
set -euo pipefail
cd "$(dirname "$0")/../.."
MINUTES=${1:-5}; SAMPLES=${2:-24000}; SEED=${3:-2}
CONFIG=${CONFIG:-embedded}; BATCH=${BATCH:-256}; DPO_FRACTION=${DPO_FRACTION:-0.05}
COMPILE=${COMPILE:-blocks}; BUCKETS=${BUCKETS:-2,4}; GROUP=${GROUP:-16}
NCPU=$(nproc); WORKERS=${WORKERS:-$(( NCPU > 3 ? NCPU - 2 : 1 ))}
OUT=${OUT:-/tmp/out}; WORK=${WORK:-/tmp/cg-train}; mkdir -p "$OUT"; rm -rf "$WORK"; mkdir -p "$WORK"
export PYTHONUNBUFFERED=1 PYTHONPATH="$PWD/python${PYTHONPATH:+:$PYTHONPATH}"
PY=${PYTHON:-python3}
RESUME=()
if [ -z "${NO_RESUME:-}" ] && compgen -G "models/embedded/checkpoint.pt*" >/dev/null && [ "$CONFIG" = embedded ]; then
  RESUME=(--resume-from models/embedded --recipe defaults)  # today's TrainConfig, not the checkpoint's
fi
{
  echo "== machine: $(nvidia-smi --query-gpu=name,memory.total --format=csv,noheader 2>/dev/null || echo no GPU), $NCPU cpus"
  t0=$(date +%s)
  if [ -n "${DATA:-}" ]; then
    echo "== data: $DATA (given)"
  else
    echo "== data: $SAMPLES samples, seed $SEED, $WORKERS workers"
    DATA="$WORK/data"
    sh scripts/device/gen-data.sh "$DATA" "$SAMPLES" "$SEED" "$WORKERS"
  fi
  echo "data seconds: $(( $(date +%s) - t0 ))"
  echo "== train ($CONFIG, batch $BATCH, ${MINUTES} min, DPO share $DPO_FRACTION, compile $COMPILE, buckets $BUCKETS, group $GROUP, resume: ${RESUME[*]:-none})"
  "$PY" -m contextgen_train.gpu_run --config "$CONFIG" --data "$DATA" --out "$WORK/model" \
    --minutes "$MINUTES" --batch "$BATCH" --dpo-fraction "$DPO_FRACTION" --lean-checkpoint \
    --compile "$COMPILE" --buckets "$BUCKETS" --group "$GROUP" --workers "$WORKERS" \
    --device "${DEVICE:-auto}" --reserve-s "${RESERVE_S:-25}" --lr-decay auto "${RESUME[@]}" ${EXTRA:-}
} 2>&1 | tee "$OUT/run.log"
cp "$WORK/model/run.json" "$WORK/model/train_log.jsonl" "$OUT/" 2>/dev/null || true
# The tool returns at most 8 files of < 16 MiB: one tarball, split.
tar -C "$WORK/model" -cf - . | split -b 15000000 -d - "$OUT/model.tar.part"
ls -la "$OUT"
