#!/usr/bin/env bash
# CPU-only rehearsal of the GPU data path: copy what a device call carries (tracked + untracked,
# non-ignored files, plus .gpu/) into a temp folder, run gen-data.sh there with a PATH that has
# no node (and no xz, so the Python lzma fallback is exercised), check the shards, rerun to check
# that a finished build resumes to a no-op, and report the sizes.
#   scripts/device/rehearse.sh [COUNT] [SEED]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
COUNT=${1:-600}
SEED=${2:-7}
cd "$ROOT"
[ -s .gpu/imig-synth.mjs ] && [ -s .gpu/imig-atlas-64.bin.gz ] || bash scripts/device/pack.sh

TMP=$(mktemp -d /tmp/imig-rehearse.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP/repo" "$TMP/bin" "$TMP/tmp"
git ls-files -co --exclude-standard -z | while IFS= read -r -d '' f; do [ -f "$f" ] && printf '%s\0' "$f"; done \
  | tar --null -T - -cf - | tar -xf - -C "$TMP/repo"
cp -r .gpu "$TMP/repo/.gpu"
TREE=$(du -sb --exclude=.gpu "$TMP/repo" | cut -f1)
GPUB=$(du -sb "$TMP/repo/.gpu" | cut -f1)
echo "[rehearse] carried tree: $TREE bytes + .gpu $GPUB bytes = $((TREE + GPUB)) bytes (limit 67108864)"

# A PATH with every tool of /usr/bin and /bin except node, npm, npx, corepack and xz.
for d in /usr/bin /bin; do
  for f in "$d"/*; do
    name=$(basename "$f")
    case "$name" in node|nodejs|npm|npx|corepack|xz|unxz|xzcat) continue ;; esac
    [ -e "$TMP/bin/$name" ] || ln -s "$f" "$TMP/bin/$name"
  done
done
if env -i PATH="$TMP/bin" sh -c 'command -v node' >/dev/null; then echo "[rehearse] node still on PATH" >&2; exit 1; fi

run() {
  env -i PATH="$TMP/bin" HOME="$TMP" TMPDIR="$TMP/tmp" sh "$TMP/repo/scripts/device/gen-data.sh" "$TMP/data" "$COUNT" "$SEED" 2
}
echo "[rehearse] gen-data.sh $COUNT samples, seed $SEED, 2 workers, no node or xz on PATH"
run
env -i PATH="$TMP/bin" python3 "$TMP/repo/scripts/device/check_shards.py" "$TMP/data" --expect-count "$COUNT"
if [ -x "$ROOT/.venv/bin/python" ]; then
  "$ROOT/.venv/bin/python" "$TMP/repo/scripts/device/check_shards.py" "$TMP/data" --expect-count "$COUNT" --deep 1
fi
BEFORE=$(cat "$TMP"/data/shard-*.bin | cksum)
echo "[rehearse] rerun (must reuse every shard)"
run | tee "$TMP/rerun.log"
grep -q "^done: 0 samples rendered" "$TMP/rerun.log" || { echo "[rehearse] rerun rendered samples again" >&2; exit 1; }
[ "$BEFORE" = "$(cat "$TMP"/data/shard-*.bin | cksum)" ] || { echo "[rehearse] bytes changed on rerun" >&2; exit 1; }
echo "[rehearse] OK: $(du -sb "$TMP/data" | cut -f1) bytes of shards"
