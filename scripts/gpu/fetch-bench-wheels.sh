#!/usr/bin/env bash
# Here (a machine with PyPI access), once before scripts/gpu/bench-published.sh: download the Python packages the
# GPU machine's image lacks (diffusers, torchao; peft pinned to the version tested here; importlib_metadata for
# diffusers) as x86-64 / CPython 3.12 wheels into the ignored .whl/ folder, which the device call carries.
# The image already holds torch 2.11, transformers, accelerate, safetensors, huggingface-hub, numpy, Pillow,
# regex, requests, filelock, zipp (/work/.library/device/KINDS.md); only these are fetched, without their deps.
set -euo pipefail
cd "$(dirname "$0")/../.."
PKGS=(diffusers==0.42.1 torchao==0.18.0 peft==0.21.2 importlib_metadata==8.7.0)
rm -rf .whl && mkdir -p .whl
PY=${PYTHON:-.venv/bin/python}
"$PY" -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
  --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_24_x86_64 \
  --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 --platform manylinux1_x86_64 \
  -d .whl "${PKGS[@]}"
ls -la .whl
du -sh .whl
