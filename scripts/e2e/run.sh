#!/usr/bin/env bash
# End-to-end checks of the server and the editor:
#   scripts/e2e/redis.test.ts        Redis (BullMQ) mode: API + worker processes, a worker killed mid-job, the job completes elsewhere
#   scripts/e2e/editor.e2e.test.ts   the editor in headless Chromium: upload, place, generate, result + seed, reload, restore
#   scripts/e2e/project-files.e2e.test.ts   redo cutout, Save (download), Open (file chooser), Import segment_info, generate
#   scripts/e2e/flux-redis.e2e.test.ts      the published-model kind (tiny FLUX worker) in the two-GPU deployment: two worker processes, cancel via Redis
# System packages (Debian): redis-server chromium   (apt-get install -y redis-server chromium)
# Each test skips with the reason when its system package is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
npx tsc -p packages/web/tsconfig.json --noEmit
npm run --silent build -w @contextgen/web >/dev/null
npx tsx --test --test-reporter=spec scripts/e2e/redis.test.ts scripts/e2e/*.e2e.test.ts
