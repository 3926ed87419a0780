#!/usr/bin/env bash
# Installs every dependency, from the package registries only, and builds the web editor.
# Safe to run again: each step is skipped when it is already done.
#   --node-only   only the npm packages and the editor build: enough to generate, serve, build
#                 data and benchmark
#   --no-system   skip the Debian packages (redis-server, chromium) used by the end-to-end tests
set -euo pipefail
cd "$(dirname "$0")/.."
say() { echo "setup: $*" >&2; }
export ONNXRUNTIME_NODE_INSTALL=skip   # its install script fetches GPU binaries from a host we cannot reach; the CPU binaries ship in the package

node_major=$(node -p 'process.versions.node.split(".").map(Number).slice(0,2).join(".")')
if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'; then
  say "Node ${node_major} is too old: ContextGen needs Node 20.19 or newer (Vite 8 does). Install a newer Node and run this again."
  exit 1
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages (npm ci: ~700 MB in node_modules, one to a few minutes)..."
  npm ci --no-audit --no-fund
else
  say "npm packages: already installed"
fi

# The editor that `contextgen serve` serves at / (packages/web/dist). Rebuilt when a source is newer.
web_stamp=packages/web/dist/index.html
if [ ! -f "$web_stamp" ] || [ -n "$(find packages/web packages/editor/src packages/core/src -newer "$web_stamp" \
      \( -name '*.ts' -o -name '*.tsx' -o -name '*.css' -o -name '*.html' \) -not -path '*/dist/*' -not -path '*/node_modules/*' -print -quit)" ]; then
  say "building the web editor (vite build -> packages/web/dist, a few seconds)..."
  npm run --silent build -w @contextgen/web >/dev/null
else
  say "web editor: already built (packages/web/dist)"
fi

if [ "${1:-}" = "--node-only" ]; then
  say "done (Node only). Try: npx contextgen generate examples/pets/request.json -o out/pets.png"
  exit 0
fi

if [ ! -x .venv/bin/python ]; then
  say "creating the Python virtual environment (.venv)..."
  python3 -m venv .venv
fi
if ! .venv/bin/python -c "import torch, onnx, onnxruntime, onnxscript, pytest" 2>/dev/null; then
  say "installing Python packages from python/requirements.txt: torch (CPU and CUDA wheels, ~4.9 GB to download), onnx, onnxruntime, onnxscript, pytest."
  say "this takes several minutes on a fast connection; pip prints each package and its download progress below."
  .venv/bin/pip install --progress-bar on -r python/requirements.txt
  if ! .venv/bin/python -c "import torch, onnx, onnxruntime, onnxscript, pytest" 2>/dev/null; then
    say "the Python packages did not install; rerun with: .venv/bin/pip install -r python/requirements.txt (to see pip's full output)"
    exit 1
  fi
else
  say "Python packages: already installed (.venv)"
fi
# the published-model path (FLUX.1-Kontext + LoRA worker) and its tiny random test folder
if ! .venv/bin/python -c "import diffusers, transformers, peft, safetensors, accelerate, torchao" 2>/dev/null; then
  say "installing the published-model packages from python/requirements-published.txt (diffusers, transformers, peft, torchao, ...; CPU is enough for the tests)."
  .venv/bin/pip install --progress-bar on -r python/requirements-published.txt
else
  say "published-model packages: already installed (.venv)"
fi
say "building the tiny random FLUX.1-Kontext test folder (.cache/tiny-flux; nothing is downloaded)"
HF_HUB_OFFLINE=1 .venv/bin/python python/scripts/make_tiny_flux.py .cache/tiny-flux   # no-op when current

if [ "${1:-}" != "--no-system" ]; then
  need=()
  command -v redis-server >/dev/null || need+=(redis-server)
  command -v chromium >/dev/null || need+=(chromium)
  [ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
  if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
      say "installing Debian packages for the end-to-end tests: ${need[*]} (apt-get, a few minutes)..."
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
    else
      say "the end-to-end tests need Debian packages: sudo apt-get install -y ${need[*]}"
    fi
  fi
fi
say "done"
