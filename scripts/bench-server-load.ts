/**
 * Server load benchmark (prints figures; a benchmark, not a test). Starts `contextgen serve`
 * as a real process on a free port with a fresh storage folder and measures:
 *   1. /api/health latency idle,
 *   2. during one large generation (the largest runnable square canvas),
 *   3. during 8 parallel uploads of a large photo-like JPEG,
 *   4. a bounded load: N jobs (4 instances with references) submitted by C clients:
 *      throughput, p50/p95 job latency (submit -> done), health latency under load, peak RSS.
 *
 * Run: npx tsx scripts/bench-server-load.ts [--model DIR] [--allow-untrained] [--jobs 12]
 *      [--clients 4] [--steps N] [--upload-side 3000] [--probe-ms 20] [--json]
 *      [--main packages/server/src/main.ts]
 * `--main` points at another checkout's server to compare (e.g. before a change).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { findModel, REPO_ROOT } from '@contextgen/runtime';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    'allow-untrained': { type: 'boolean', default: false },
    jobs: { type: 'string', default: '12' },
    clients: { type: 'string', default: '4' },
    steps: { type: 'string' },
    'upload-side': { type: 'string', default: '3000' },
    main: { type: 'string', default: join(REPO_ROOT, 'packages', 'server', 'src', 'main.ts') },
    'probe-ms': { type: 'string', default: '20' },
    json: { type: 'boolean', default: false },
  },
});
const probeMs = Number(values['probe-ms']);

const modelDir = findModel({ model: values.model, env: process.env.CONTEXTGEN_MODEL });
const manifest = JSON.parse(await readFile(join(modelDir, 'model.json'), 'utf8')) as {
  tokenSize: number;
  limits: { maxSide: number; maxTokens: number; minSide: number };
};

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : NaN;
};
const summary = (xs: number[]) => ({
  n: xs.length,
  p50: +pct(xs, 50).toFixed(1),
  p95: +pct(xs, 95).toFixed(1),
  p99: +pct(xs, 99).toFixed(1),
  max: +Math.max(...xs).toFixed(1),
});

async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as { port: number }).port;
  srv.close();
  return port;
}

const storage = await mkdtemp(join(tmpdir(), 'cg-bench-server-'));
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const child = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    resolve(values.main),
    '--quiet',
    '--port',
    String(port),
    '--storage',
    storage,
    '--model',
    modelDir,
    ...(values['allow-untrained'] ? ['--allow-untrained'] : []),
  ],
  { stdio: ['ignore', 'ignore', 'inherit'] },
);

/** Resident memory of the server process (MiB): now and the peak (VmHWM). */
async function rss(): Promise<{ now: number; peak: number }> {
  const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return { now: Math.round(kb('VmRSS') / 1024), peak: Math.round(kb('VmHWM') / 1024) };
}

/** Probes /api/health every `everyMs` until `stop()`; returns the latencies (ms). */
function probeHealth(everyMs = probeMs) {
  const times: number[] = [];
  let on = true;
  const loop = (async () => {
    while (on) {
      const t = performance.now();
      await fetch(`${base}/api/health`).then((r) => r.arrayBuffer());
      times.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      on = false;
      await loop;
      return times;
    },
  };
}

async function waitJob(id: string): Promise<Record<string, unknown>> {
  for (;;) {
    const j = (await (await fetch(`${base}/api/jobs/${id}`)).json()) as { status: string };
    if (['succeeded', 'failed', 'cancelled'].includes(j.status)) return j;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function submit(body: object): Promise<string> {
  const r = await fetch(`${base}/api/jobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const j = (await r.json()) as { id?: string; error?: { message: string } };
  if (!j.id) throw new Error(`submit refused (${r.status}): ${j.error?.message}`);
  return j.id;
}

async function upload(bytes: Buffer, type: string, name: string): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)], { type }), name);
  const r = await fetch(`${base}/api/uploads`, { method: 'POST', body: form });
  const j = (await r.json()) as { id?: string; error?: { message: string } };
  if (!j.id) throw new Error(`upload refused (${r.status}): ${j.error?.message}`);
  return j.id;
}

try {
  for (let i = 0; ; i++) {
    if (
      await fetch(`${base}/api/health`)
        .then((r) => r.ok)
        .catch(() => false)
    )
      break;
    if (i > 600) throw new Error('the server did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  const steps = values.steps ? { steps: Number(values.steps) } : {};

  // 1. Idle.
  const idle = probeHealth(Math.min(5, probeMs));
  await new Promise((r) => setTimeout(r, 1500));
  const idleTimes = await idle.stop();

  // 2. One large generation: the largest square that fits maxTokens with <bos> only.
  const P = manifest.tokenSize;
  const side = Math.min(
    manifest.limits.maxSide,
    Math.floor(Math.sqrt((manifest.limits.maxTokens - 1) / 2)) * P,
  );
  const gen = probeHealth();
  const tGen = performance.now();
  const bigJob = await submit({ width: side, height: side, prompt: '', seed: 1, ...steps });
  const bigDone = await waitJob(bigJob);
  const genMs = performance.now() - tGen;
  const genTimes = await gen.stop();

  // 3. Eight parallel uploads of a large noisy JPEG (decode + automatic cutout).
  const S = Number(values['upload-side']);
  const noise = Buffer.alloc(S * S * 3);
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
  const jpeg = await sharp(noise, { raw: { width: S, height: S, channels: 3 } })
    .jpeg({ quality: 80 })
    .toBuffer();
  const up = probeHealth();
  const tUp = performance.now();
  await Promise.all(Array.from({ length: 8 }, (_, k) => upload(jpeg, 'image/jpeg', `big${k}.jpg`)));
  const upMs = performance.now() - tUp;
  const upTimes = await up.stop();
  const rssAfterUploads = await rss();

  // 4. Bounded load: jobs with 4 referenced instances from C clients.
  const refs: string[] = [];
  for (const color of ['#d02020', '#20a040', '#2040d0', '#d0a020']) {
    const svg = `<svg width="96" height="96"><circle cx="48" cy="48" r="30" fill="${color}"/></svg>`;
    const png = await sharp({ create: { width: 96, height: 96, channels: 3, background: '#fff' } })
      .composite([{ input: Buffer.from(svg) }])
      .png()
      .toBuffer();
    refs.push(await upload(png, 'image/png', `${color}.png`));
  }
  const jobs = Number(values.jobs);
  const clients = Number(values.clients);
  const canvas = Math.min(128, side);
  const body = {
    width: canvas,
    height: canvas,
    prompt: 'four things on a table',
    ...steps,
    instances: refs.map((id, k) => ({
      box: [
        (k % 2) * (canvas / 2),
        Math.floor(k / 2) * (canvas / 2),
        ((k % 2) + 1) * (canvas / 2),
        (Math.floor(k / 2) + 1) * (canvas / 2),
      ],
      reference: id,
    })),
  };
  const load = probeHealth();
  const latencies: number[] = [];
  let next = 0;
  let failed = 0;
  const tLoad = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < jobs) {
        next++;
        const t = performance.now();
        const j = await waitJob(await submit({ ...body, seed: next }));
        if (j.status !== 'succeeded') failed++;
        latencies.push(performance.now() - t);
      }
    }),
  );
  const loadMs = performance.now() - tLoad;
  const loadTimes = await load.stop();
  const mem = await rss();

  const report = {
    server: resolve(values.main),
    model: modelDir,
    health: {
      idle: summary(idleTimes),
      duringGeneration: {
        ...summary(genTimes),
        canvas: `${side}x${side}`,
        jobMs: Math.round(genMs),
        status: bigDone.status,
      },
      duringUploads: {
        ...summary(upTimes),
        uploads: 8,
        side: S,
        jpegBytes: jpeg.length,
        totalMs: Math.round(upMs),
        rssMiB: rssAfterUploads,
      },
      underLoad: summary(loadTimes),
    },
    load: {
      jobs,
      clients,
      canvas: `${canvas}x${canvas}`,
      failed,
      throughputJobsPerS: +(jobs / (loadMs / 1000)).toFixed(3),
      latencyMs: summary(latencies),
    },
    rssMiB: mem,
  };
  if (values.json) console.log(JSON.stringify(report, null, 2));
  else {
    const h = report.health;
    const line = (name: string, s: ReturnType<typeof summary>) =>
      `  ${name.padEnd(20)} p50 ${s.p50} ms  p95 ${s.p95} ms  p99 ${s.p99} ms  max ${s.max} ms  (${s.n} probes)`;
    console.log(`server ${report.server}\nmodel ${report.model}\n/api/health latency:`);
    console.log(line('idle', h.idle));
    console.log(
      line(`generation ${side}x${side}`, h.duringGeneration) +
        `  job ${h.duringGeneration.jobMs} ms ${h.duringGeneration.status}`,
    );
    console.log(
      line('8 uploads', h.duringUploads) +
        `  ${S}x${S} JPEG, all in ${h.duringUploads.totalMs} ms, RSS ${h.duringUploads.rssMiB.now} MiB (peak ${h.duringUploads.rssMiB.peak})`,
    );
    console.log(line('job load', h.underLoad));
    const l = report.load;
    console.log(
      `load: ${l.jobs} jobs (${l.canvas}, 4 references) from ${l.clients} clients: ${l.throughputJobsPerS} jobs/s, ` +
        `latency p50 ${l.latencyMs.p50} ms p95 ${l.latencyMs.p95} ms, ${l.failed} failed; RSS ${mem.now} MiB (peak ${mem.peak} MiB)`,
    );
  }
} finally {
  child.kill('SIGTERM');
  await Promise.race([once(child, 'exit'), new Promise((r) => setTimeout(r, 5000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
  await rm(storage, { recursive: true, force: true });
}
