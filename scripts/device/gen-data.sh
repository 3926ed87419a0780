#!/bin/sh
# Render IMIG-Synth training samples on the GPU machine (no Node.js, no network needed).
#   scripts/device/gen-data.sh OUTDIR COUNT SEED [WORKERS] [extra dataset-build flags...]
# Needs .gpu/ from scripts/device/pack.sh (carry ".gpu"). Unpacks the Node binary to /tmp once
# (xz, or Python's lzma when xz is missing), then runs the bundled renderer. Resumable: rerun
# with the same arguments to continue an interrupted build. Prints samples/s at the end.
set -eu
if [ "$#" -lt 3 ]; then
  echo "usage: $0 OUTDIR COUNT SEED [WORKERS] [--split heldout] [--levels 1-8] [--size 128] ..." >&2
  exit 2
fi
OUT=$1
COUNT=$2
SEED=$3
shift 3
if [ "$#" -gt 0 ]; then
  WORKERS=$1
  shift
else
  WORKERS=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo 4)
fi
HERE=$(cd "$(dirname "$0")" && pwd)
GPU=${IMIG_GPU_DIR:-$(cd "$HERE/../.." && pwd)/.gpu}
NODE_XZ="$GPU/node-v20.20.2.xz"
for f in "$NODE_XZ" "$GPU/imig-synth.mjs" "$GPU/imig-atlas-64.bin.gz"; do
  if [ ! -s "$f" ]; then
    echo "gen-data: missing $f; run scripts/device/pack.sh on the dev machine and carry .gpu" >&2
    exit 1
  fi
done
NODE_DIR=${TMPDIR:-/tmp}/imig-node-20.20.2
NODE="$NODE_DIR/node"
if [ ! -x "$NODE" ]; then
  mkdir -p "$NODE_DIR"
  if command -v xz >/dev/null 2>&1; then
    xz -dc "$NODE_XZ" > "$NODE.tmp.$$"
  else
    python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"), 1 << 20)' "$NODE_XZ" "$NODE.tmp.$$"
  fi
  chmod +x "$NODE.tmp.$$"
  mv "$NODE.tmp.$$" "$NODE"
fi
echo "gen-data: $COUNT samples, seed $SEED, $WORKERS workers -> $OUT (node $("$NODE" --version))"
exec "$NODE" "$GPU/imig-synth.mjs" build --count "$COUNT" --seed "$SEED" --workers "$WORKERS" \
  --atlas "$GPU/imig-atlas-64.bin.gz" --out "$OUT" "$@"
