/**
 * Building a dataset folder: shards rendered by worker threads (or in process), resumable
 * (complete shards are kept, partial ones redone), deterministic per seed whatever the
 * worker count, and `meta.json` written last.
 */
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Atlas } from './atlas.ts';
import { loadAtlas } from './atlas-file.ts';
import { captionVocabulary } from './caption.ts';
import { splitIdentityIndices } from './heldout.ts';
import type { Split } from './heldout.ts';
import { decodeRecord, DATASET_FORMAT, shardFileName } from './shard.ts';
import type { DatasetMeta, ShardEntry } from './shard.ts';
import { writeShard } from './shard-writer.ts';
import type { ShardJob } from './shard-writer.ts';
import type { WorkerInit, WorkerMessage } from './worker.ts';
import type { RenderContext } from './sample.ts';

export interface BuildOptions {
  readonly out: string;
  readonly count: number;
  readonly size?: number;
  readonly refSize?: number;
  readonly seed?: number;
  readonly split?: Split;
  /** Worker threads; 0 renders in this thread. */
  readonly workers?: number;
  readonly shardSize?: number;
  readonly levels?: readonly [number, number];
  /** Atlas file (raw, .gz or .br); default: the cache under .cache/, built on first use. */
  readonly atlasPath?: string;
  /** Script a worker thread runs (the bundle passes itself). */
  readonly workerUrl?: URL;
  readonly onProgress?: (done: number, total: number) => void;
  /** Stop after this many shards (used by tests to simulate an interrupted build). */
  readonly stopAfterShards?: number;
}

export interface BuildResult {
  readonly meta: DatasetMeta;
  readonly renderedSamples: number;
  readonly reusedShards: number;
  readonly seconds: number;
  readonly samplesPerSecond: number;
  readonly bytes: number;
  readonly complete: boolean;
}

const PARAMS_FILE = 'build-params.json';

function checkInt(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`--${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
}

function resolveOptions(o: BuildOptions) {
  const r = {
    out: o.out,
    count: o.count,
    size: o.size ?? 128,
    refSize: o.refSize ?? 64,
    seed: o.seed ?? 0,
    split: o.split ?? 'train',
    workers: o.workers ?? 2,
    shardSize: o.shardSize ?? 250,
    levels: o.levels ?? ([1, 8] as const),
  };
  checkInt('count', r.count, 1, 100_000_000);
  checkInt('size', r.size, 32, 1024);
  checkInt('ref-size', r.refSize, 16, 512);
  checkInt('seed', r.seed, 0, 2 ** 32 - 1);
  checkInt('workers', r.workers, 0, 256);
  checkInt('shard-size', r.shardSize, 1, 1_000_000);
  checkInt('levels (min)', r.levels[0], 1, 8);
  checkInt('levels (max)', r.levels[1], r.levels[0], 8);
  if (r.split !== 'train' && r.split !== 'heldout')
    throw new Error(`--split must be "train" or "heldout", got "${String(r.split)}"`);
  return r;
}

/** Count the records of a finished shard file; null when it is unreadable or short. */
function countRecords(path: string, size: number, refSize: number): number | null {
  try {
    const bytes = readFileSync(path);
    let offset = 0;
    let n = 0;
    while (offset < bytes.length) {
      offset += decodeRecord(bytes, offset, size, refSize).length;
      n++;
    }
    return n;
  } catch {
    return null;
  }
}

function shardJobs(count: number, shardSize: number): ShardJob[] {
  const jobs: ShardJob[] = [];
  for (let first = 0, shard = 0; first < count; first += shardSize, shard++) {
    jobs.push({ shard, first, count: Math.min(shardSize, count - first) });
  }
  return jobs;
}

/** Start a worker; a TypeScript worker (development) first registers the tsx loader. */
function spawnWorker(url: URL, init: WorkerInit): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, { workerData: init });
  const api = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(boot, { eval: true, workerData: init });
}

function runWorkers(
  init: WorkerInit,
  jobs: ShardJob[],
  workers: number,
  workerUrl: URL,
  onSamples: (n: number) => void,
): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const queue = jobs.slice();
    let bytes = 0;
    let running = 0;
    let failed = false;
    const pool: Worker[] = [];
    const next = (w: Worker): void => {
      const job = queue.shift();
      if (job) {
        w.postMessage(job);
      } else {
        w.postMessage(null);
      }
    };
    const count = Math.min(workers, jobs.length);
    if (count === 0) {
      resolvePromise(0);
      return;
    }
    for (let k = 0; k < count; k++) {
      const w = spawnWorker(workerUrl, init);
      pool.push(w);
      running++;
      w.on('message', (m: WorkerMessage) => {
        if (m.kind === 'progress') onSamples(m.samples);
        else if (m.kind === 'done') {
          bytes += m.bytes;
          next(w);
        } else {
          failed = true;
          for (const other of pool) void other.terminate();
          reject(new Error(`dataset worker failed: ${m.message}`));
        }
      });
      w.on('error', (err) => {
        if (failed) return;
        failed = true;
        for (const other of pool) void other.terminate();
        reject(err);
      });
      w.on('exit', () => {
        running--;
        if (running === 0 && !failed) resolvePromise(bytes);
      });
      next(w);
    }
  });
}

export async function buildDataset(options: BuildOptions, atlasIn?: Atlas): Promise<BuildResult> {
  const o = resolveOptions(options);
  const atlas = atlasIn ?? loadAtlas(options.atlasPath);
  const heldout = new Set(atlas.heldout);
  const pool = splitIdentityIndices(atlas.identities, heldout, o.split);
  const params = {
    format: DATASET_FORMAT,
    count: o.count,
    size: o.size,
    refSize: o.refSize,
    seed: o.seed,
    split: o.split,
    shardSize: o.shardSize,
    levels: o.levels,
    identities: atlas.identities.length,
  };

  mkdirSync(o.out, { recursive: true });
  const paramsPath = join(o.out, PARAMS_FILE);
  if (existsSync(paramsPath)) {
    const previous = readFileSync(paramsPath, 'utf8');
    if (previous !== JSON.stringify(params)) {
      throw new Error(
        `${o.out} holds a build with other settings (${previous}); use a new --out folder or delete that one`,
      );
    }
  } else {
    if (readdirSync(o.out).some((f) => f.startsWith('shard-'))) {
      throw new Error(
        `${o.out} already holds shards from an unknown build; use a new --out folder or delete that one`,
      );
    }
    writeFileSync(paramsPath, JSON.stringify(params));
  }

  const jobs = shardJobs(o.count, o.shardSize);
  const todo: ShardJob[] = [];
  let reusedShards = 0;
  let reusedSamples = 0;
  for (const job of jobs) {
    const file = join(o.out, shardFileName(job.shard));
    rmSync(`${file}.partial`, { force: true });
    if (existsSync(file) && countRecords(file, o.size, o.refSize) === job.count) {
      reusedShards++;
      reusedSamples += job.count;
    } else {
      todo.push(job);
    }
  }
  const selected =
    options.stopAfterShards === undefined ? todo : todo.slice(0, options.stopAfterShards);
  let done = reusedSamples;
  options.onProgress?.(done, o.count);
  const onSamples = (n: number): void => {
    done += n;
    options.onProgress?.(done, o.count);
  };

  const settings: Omit<RenderContext, 'sprites'> = {
    atlas,
    size: o.size,
    refSize: o.refSize,
    seed: o.seed,
    split: o.split,
    pool,
    minLevel: o.levels[0],
    maxLevel: o.levels[1],
  };
  const start = performance.now();
  if (o.workers === 0) {
    const ctx: RenderContext = { ...settings, sprites: new Map() };
    for (const job of selected) writeShard(ctx, job, o.out, () => onSamples(1));
  } else {
    const init: WorkerInit = { imigSynth: true, ...settings, outDir: o.out };
    await runWorkers(
      init,
      selected,
      o.workers,
      options.workerUrl ?? new URL('./worker.ts', import.meta.url),
      onSamples,
    );
  }
  const seconds = (performance.now() - start) / 1000;
  const renderedSamples = selected.reduce((s, j) => s + j.count, 0);

  const shards: ShardEntry[] = jobs.map((j) => ({ file: shardFileName(j.shard), count: j.count }));
  const complete = shards.every((s) => existsSync(join(o.out, s.file)));
  const bytes = shards.reduce(
    (s, e) => s + (existsSync(join(o.out, e.file)) ? statSync(join(o.out, e.file)).size : 0),
    0,
  );
  const meta: DatasetMeta = {
    format: DATASET_FORMAT,
    size: o.size,
    refSize: o.refSize,
    seed: o.seed,
    split: o.split,
    count: o.count,
    shardSize: o.shardSize,
    levels: [o.levels[0], o.levels[1]],
    shards,
    vocab: captionVocabulary(atlas.identities.map((i) => i.name)),
    identities: pool.map((i) => atlas.identities[i]!.key),
  };
  if (complete) writeFileSync(join(o.out, 'meta.json'), `${JSON.stringify(meta)}\n`);
  return {
    meta,
    renderedSamples,
    reusedShards,
    seconds,
    samplesPerSecond: renderedSamples / Math.max(seconds, 1e-9),
    bytes,
    complete,
  };
}
