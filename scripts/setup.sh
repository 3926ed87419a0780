#!/usr/bin/env bash
# Installs every dependency from the package registries only. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
export ONNXRUNTIME_NODE_INSTALL=skip   # its install script fetches GPU binaries from a host we cannot reach; the CPU binaries ship in the package
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
if ! .venv/bin/python -c "import torch, onnx, onnxruntime, pytest" 2>/dev/null; then
  .venv/bin/pip install -q -r python/requirements.txt
fi
.venv/bin/pip install -q -e python --no-deps --no-build-isolation 2>/dev/null || true
