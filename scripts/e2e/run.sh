#!/usr/bin/env bash
# End-to-end checks of the server and the editor:
#   scripts/e2e/redis.test.ts        Redis (BullMQ) mode: API + worker processes, a worker killed mid-job, the job completes elsewhere
#   scripts/e2e/server-faults.test.ts   kill -9 + restart, SIGTERM drain, a full tmpfs, exposure and log redaction (process mode)
#   scripts/e2e/redis-faults.test.ts    Redis stopped and restarted, fast 503s, lost jobs re-queued, two API processes, exact cap
#   scripts/e2e/editor.e2e.test.ts   the editor in headless Chromium: upload, place, generate, result + seed, reload, restore
#   scripts/e2e/project-files.e2e.test.ts   redo cutout, Save (download), Open (file chooser), Import segment_info, generate
#     (editor.e2e runs on the default model and takes the README screenshots; Import reads the official list format)
#   scripts/e2e/editor-budget.e2e.test.ts   model defaults, live token budget, blocked Generate, size typed once, narrow window, toasts, file drops
#   scripts/e2e/editor-boxes.e2e.test.ts    focus and keyboard, valid boxes, cascade, layers, handles on top, text-only boxes, boxes named in errors
#   scripts/e2e/editor-jobs.e2e.test.ts     reload mid-generation reattaches; two tabs keep their documents and share results
#   scripts/e2e/flux-redis.e2e.test.ts      the published-model kind (tiny FLUX worker) in the two-GPU deployment: two worker processes, cancel via Redis
# System packages (Debian): redis-server chromium   (apt-get install -y redis-server chromium)
# Each test skips with the reason when its system package is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
npx tsc -p packages/web/tsconfig.json --noEmit
npm run --silent build -w @contextgen/web >/dev/null
npx tsx --test --test-reporter=spec scripts/e2e/redis.test.ts scripts/e2e/server-faults.test.ts scripts/e2e/redis-faults.test.ts scripts/e2e/*.e2e.test.ts
