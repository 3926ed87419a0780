// A fake FLUX worker speaking spec/WORKER-PROTOCOL.md (sections 2-4), for supervisor tests.
// It loads nothing: "generating" copies layout.png to result.png after `steps` fake steps.
// Behaviour by environment:
//   FAKE_READY_MS    delay before `ready` (default 0); "never" = never ready
//   FAKE_FATAL       a startup error kind: emit it with fatal: true and exit 2
//   FAKE_STEP_MS     delay per step (default 20)
//   FAKE_CRASH_JOB   a job id prefix: such jobs crash the process (exit 1) after step 1
//   FAKE_IGNORE_CANCEL  "1" = keep running after cancel
//   FAKE_STARTS_FILE a file the worker appends its pid to (counts starts)
import { appendFileSync, copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const env = process.env;
const emit = (event, fields) => process.stdout.write(JSON.stringify({ event, ...fields }) + '\n');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

if (env.FAKE_STARTS_FILE) appendFileSync(env.FAKE_STARTS_FILE, `${process.pid}\n`);
process.stderr.write(`fake worker ${process.pid} loading\n`);

if (env.FAKE_FATAL) {
  process.stderr.write('about to fail\n');
  emit('error', { job: null, kind: env.FAKE_FATAL, message: `simulated ${env.FAKE_FATAL}`, fatal: true });
  process.exit(2);
}

const jobs = [];
let cancelled = null;
let wake = null;

createInterface({ input: process.stdin }).on('line', (line) => {
  let cmd;
  try {
    cmd = JSON.parse(line);
  } catch {
    emit('error', { job: null, kind: 'bad-input', message: 'not JSON', fatal: false });
    return;
  }
  if (cmd.cmd === 'shutdown') process.exit(0);
  if (cmd.cmd === 'cancel') cancelled = cmd.job;
  if (cmd.cmd === 'generate') {
    jobs.push(cmd);
    wake?.();
  }
}).on('close', () => process.exit(0));

async function runJob({ job, dir }) {
  emit('started', { job });
  const spec = existsSync(join(dir, 'job.json'))
    ? JSON.parse(readFileSync(join(dir, 'job.json'), 'utf8'))
    : { steps: 3, seed: 0, previewEvery: 0 };
  const total = spec.steps;
  for (let step = 1; step <= total; step++) {
    await sleep(Number(env.FAKE_STEP_MS ?? 20));
    if (cancelled === job && env.FAKE_IGNORE_CANCEL !== '1') {
      emit('cancelled', { job, step: step - 1 });
      return;
    }
    const preview =
      spec.previewEvery > 0 && (step % spec.previewEvery === 0 || step === total) && existsSync(join(dir, 'layout.png'))
        ? join(dir, `preview-${String(step).padStart(3, '0')}.png`)
        : undefined;
    if (preview) copyFileSync(join(dir, 'layout.png'), preview);
    emit('progress', { job, step, total, ...(preview ? { preview } : {}) });
    if (env.FAKE_CRASH_JOB && job.startsWith(env.FAKE_CRASH_JOB)) {
      process.stderr.write('Traceback: simulated crash in the sampler\n');
      process.exit(1);
    }
  }
  const result = join(dir, 'result.png');
  if (existsSync(join(dir, 'layout.png'))) copyFileSync(join(dir, 'layout.png'), result);
  emit('done', { job, result, seed: spec.seed, timings: { totalSeconds: 0 } });
}

if (env.FAKE_READY_MS !== 'never') {
  await sleep(Number(env.FAKE_READY_MS ?? 0));
  emit('ready', { protocol: 1, model: { name: 'fake', tokenSize: 16, textTokens: 512 }, timings: { loadSeconds: 0 } });
  for (;;) {
    if (jobs.length === 0) await new Promise((r) => (wake = r));
    const next = jobs.shift();
    if (next) await runJob(next);
  }
} else {
  setInterval(() => {}, 1000);
}
