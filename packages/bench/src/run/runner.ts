/**
 * `bench run`: for each case of a set, render its ground truth and references, produce the
 * image (model or reference row), score it with the built-in evaluators, and save the image
 * and a per-case JSON. Resumable: finished cases are skipped. Seeds are the set's.
 */
import { limitCases } from '../sets/bench-set.ts';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAtlas } from '@contextgen/dataset';
import type { Atlas } from '@contextgen/dataset';
import type { Calibration } from '../eval/evaluators.ts';
import { assertCalibratedNet, loadCalibration, scoreCase } from '../eval/evaluators.ts';
import { IdentityNet } from '../ident/identity-net.ts';
import { writePng } from '../image/png.ts';
import type { BenchSet } from '../sets/bench-set.ts';
import { CaseRenderer } from '../sets/render-case.ts';
import { loadSet } from '../sets/set-files.ts';
import type { CaseGenerator, GeneratorOptions } from './generators.ts';
import { openGenerator } from './generators.ts';
import type { CaseRecord, RunInfo } from './run-folder.ts';
import {
  casePath,
  imagePath,
  prepareRunFolder,
  readCaseRecord,
  readRunInfo,
  writeJsonAtomic,
} from './run-folder.ts';

export interface RunOptions extends GeneratorOptions {
  /** Model folder, or `ground-truth` / `layout`. */
  readonly model: string;
  /** Set name (bench/sets/<name>.json), path, or the set itself. */
  readonly set: string | BenchSet;
  readonly out: string;
  readonly limit?: number;
  readonly calibration?: Calibration;
  /** The identity network (loaded from bench/evaluators when absent). */
  readonly identityNet?: IdentityNet;
  readonly atlas?: Atlas;
  /** Use this generator instead of opening `model` (tests). */
  readonly generator?: CaseGenerator;
  /** Called once per case, finished or skipped, with whether it was skipped. */
  readonly onCase?: (skipped: boolean) => void;
  /** Called once with the number of cases, before the first. */
  readonly onStart?: (total: number, alreadyDone: number) => void;
}

export interface RunSummary {
  readonly out: string;
  readonly set: string;
  readonly model: string;
  readonly total: number;
  readonly skipped: number;
  readonly generated: number;
}

export async function runBench(opts: RunOptions): Promise<RunSummary> {
  const set = typeof opts.set === 'string' ? loadSet(opts.set) : opts.set;
  const cases = limitCases(set.cases, opts.limit);
  const cal = opts.calibration ?? loadCalibration();
  const net = opts.identityNet ?? (await IdentityNet.load());
  assertCalibratedNet(cal, net);
  const previous = readRunInfo(opts.out);
  let gen: CaseGenerator | null = null;
  try {
    gen = opts.generator ?? (await openGenerator(opts.model, opts));
    if (previous && (previous.set !== set.name || previous.model !== gen.name)) {
      throw new Error(
        `${opts.out} already holds a run of model "${previous.model}" on set "${previous.set}"; use another --out folder for model "${gen.name}" on set "${set.name}"`,
      );
    }
    prepareRunFolder(opts.out);
    if (!previous) {
      const info: RunInfo = {
        format: 'contextgen-bench-run/1',
        set: set.name,
        setIdentities: set.identities,
        model: gen.name,
        kind: gen.kind,
        trained: gen.trained,
        info: gen.info,
        calibration: cal.provenance,
        started: new Date().toISOString(),
      };
      writeFileSync(join(opts.out, 'run.json'), `${JSON.stringify(info, null, 1)}\n`);
    }
    const done = new Set(
      cases.filter((c) => readCaseRecord(opts.out, c.id) !== null).map((c) => c.id),
    );
    opts.onStart?.(cases.length, done.size);
    const renderer = new CaseRenderer(opts.atlas ?? loadAtlas(), set);
    let generated = 0;
    for (const c of cases) {
      if (done.has(c.id)) {
        opts.onCase?.(true);
        continue;
      }
      const r = renderer.render(c);
      const g = await gen.generate(c, r);
      const score = await scoreCase(
        {
          id: c.id,
          level: c.level,
          scene: r.scene,
          boxes: r.boxes,
          references: r.references,
          generated: g.image,
          layout: r.layout,
        },
        cal,
        net,
      );
      writePng(imagePath(opts.out, c.id), g.image);
      const record: CaseRecord = {
        case: c,
        image: `images/${c.id}.png`,
        seed: g.seed,
        ms: g.ms,
        score: {
          ...score,
          instances: score.instances.map((i) => ({
            ...i,
            found: i.found ? [...i.found] : null,
          })),
        },
      };
      writeJsonAtomic(casePath(opts.out, c.id), record);
      generated++;
      opts.onCase?.(false);
    }
    return {
      out: opts.out,
      set: set.name,
      model: gen.name,
      total: cases.length,
      skipped: done.size,
      generated,
    };
  } finally {
    if (gen && !opts.generator) await gen.dispose();
    if (!opts.identityNet) await net.dispose();
  }
}
