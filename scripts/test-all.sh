#!/usr/bin/env bash
# The one test command: sets up everything (idempotent) and runs every test, TypeScript and Python.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "== typecheck + lint"
npx tsc -p tsconfig.json --noEmit
# every package's own tsconfig too (core's has no Node or DOM types: it must stay isomorphic)
for config in packages/*/tsconfig.json; do npx tsc -p "$config" --noEmit; done
npx eslint packages scripts
npx prettier --check --log-level warn packages scripts
echo "== TypeScript unit tests"
shopt -s globstar nullglob
npx tsx --test --test-reporter=spec packages/*/src/**/*.test.ts
echo "== end-to-end (server + Redis workers + editor in Chromium)"
bash scripts/e2e/run.sh
echo "== Python tests"
.venv/bin/python -m pytest -q python/tests
