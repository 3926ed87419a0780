/**
 * The tiny random FLUX.1-Kontext folder for end-to-end tests through the real Python worker
 * (spec/WORKER-PROTOCOL.md section 6): built once into .cache/tiny-flux by
 * python/scripts/make_tiny_flux.py (scripts/setup.sh does it; tests make sure it is current), then
 * wrapped in a per-test model folder whose model.json allows small canvases, 2 steps and small
 * reference buckets (manifest overrides, so CPU runs stay short).
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../find-model.ts';
import { workerPython } from './generator.ts';

export const TINY_FLUX = join(REPO_ROOT, '.cache', 'tiny-flux');

/** Build (or rebuild when its version changed) the tiny folder; a no-op in 0.2 s when current. */
export function ensureTinyFlux(): string {
  execFileSync(
    workerPython(),
    [join(REPO_ROOT, 'python', 'scripts', 'make_tiny_flux.py'), TINY_FLUX],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, HF_HUB_OFFLINE: '1' },
    },
  );
  return TINY_FLUX;
}

/** A model folder over the tiny diffusers folder and LoRA; returns its path. */
export async function tinyFluxModel(overrides: Record<string, unknown> = {}): Promise<string> {
  const base = ensureTinyFlux();
  const dir = await mkdtemp(join(tmpdir(), 'cg-tiny-flux-'));
  await writeFile(
    join(dir, 'model.json'),
    JSON.stringify({
      format: 'contextgen-model/1',
      kind: 'flux-kontext-lora',
      name: 'tiny-flux-random',
      trained: false,
      description: 'tiny random FLUX.1-Kontext + LoRA (tests)',
      flux: {
        diffusers: join(base, 'diffusers'),
        lora: join(base, 'lora'),
        dtype: 'float32',
        profile: 'full',
      },
      limits: { minSide: 32, maxSide: 256, maxInstances: 6 },
      sampling: { steps: 2 },
      referenceBuckets: [{ maxShorterSide: 128, base: 32 }],
      largestReferenceBase: 64,
      ...overrides,
    }),
  );
  return dir;
}
