#!/usr/bin/env bash
# Installs every dependency, from the package registries only. Safe to run again.
#   --node-only   only the npm packages: enough to generate, serve, build data and benchmark
#   --no-system   skip the Debian packages (redis-server, chromium) used by the end-to-end tests
set -euo pipefail
cd "$(dirname "$0")/.."
export ONNXRUNTIME_NODE_INSTALL=skip   # its install script fetches GPU binaries from a host we cannot reach; the CPU binaries ship in the package
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
if [ "${1:-}" = "--node-only" ]; then
  exit 0
fi
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
if ! .venv/bin/python -c "import torch, onnx, onnxruntime, onnxscript, pytest" 2>/dev/null; then
  .venv/bin/pip install -q -r python/requirements.txt
fi
# the published-model path (FLUX.1-Kontext + LoRA worker) and its tiny random test folder
if ! .venv/bin/python -c "import diffusers, transformers, peft, safetensors, accelerate, torchao" 2>/dev/null; then
  .venv/bin/pip install -q -r python/requirements-published.txt
fi
HF_HUB_OFFLINE=1 .venv/bin/python python/scripts/make_tiny_flux.py .cache/tiny-flux   # no-op when current
if [ "${1:-}" != "--no-system" ]; then
  need=()
  command -v redis-server >/dev/null || need+=(redis-server)
  command -v chromium >/dev/null || need+=(chromium)
  [ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
  if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
    else
      echo "setup: the end-to-end tests need Debian packages: sudo apt-get install -y ${need[*]}" >&2
    fi
  fi
fi
