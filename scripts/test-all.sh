#!/usr/bin/env bash
# The one test command: sets up everything (idempotent) and runs every test, TypeScript and Python.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run --silent typecheck
npm run --silent lint
shopt -s globstar nullglob
npx tsx --test --test-reporter=spec packages/*/src/**/*.test.ts
.venv/bin/python -m pytest -q python/tests
