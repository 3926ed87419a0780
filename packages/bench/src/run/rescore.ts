/**
 * `bench rescore`: scores the images of an existing run folder again with the current
 * evaluators (after a calibration or identity-network change) without regenerating them, into a
 * new run folder (run.json keeps the model's description; cases get new scores; images are
 * copied). Resumable like `bench run`.
 */
import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadAtlas } from '@contextgen/dataset';
import type { Atlas } from '@contextgen/dataset';
import type { Calibration } from '../eval/evaluators.ts';
import { assertCalibratedNet, loadCalibration, scoreCase } from '../eval/evaluators.ts';
import { IdentityNet } from '../ident/identity-net.ts';
import { readPng } from '../image/png.ts';
import { CaseRenderer } from '../sets/render-case.ts';
import { loadSet } from '../sets/set-files.ts';
import type { CaseRecord, RunInfo } from './run-folder.ts';
import {
  casePath,
  imagePath,
  prepareRunFolder,
  readAllCases,
  readCaseRecord,
  readRunInfo,
  writeJsonAtomic,
} from './run-folder.ts';

export interface RescoreOptions {
  readonly from: string;
  readonly out: string;
  readonly calibration?: Calibration;
  readonly identityNet?: IdentityNet;
  readonly atlas?: Atlas;
  readonly onStart?: (total: number) => void;
  readonly onCase?: () => void;
}

export async function rescoreRun(
  opts: RescoreOptions,
): Promise<{ cases: number; rescored: number }> {
  if (resolve(opts.from) === resolve(opts.out)) {
    throw new Error(`bench rescore writes a new folder; give an --out other than ${opts.from}`);
  }
  const info = readRunInfo(opts.from);
  if (!info) throw new Error(`${opts.from} has no run.json; is it a bench run folder?`);
  const previous = readRunInfo(opts.out);
  if (previous && (previous.model !== info.model || previous.set !== info.set)) {
    throw new Error(
      `${opts.out} already holds a run of model "${previous.model}" on set "${previous.set}"; use another --out folder`,
    );
  }
  const cal = opts.calibration ?? loadCalibration();
  const net = opts.identityNet ?? (await IdentityNet.load());
  try {
    assertCalibratedNet(cal, net);
    const set = loadSet(info.set);
    const records = readAllCases(opts.from);
    opts.onStart?.(records.length);
    prepareRunFolder(opts.out);
    if (!previous) {
      const next: RunInfo = {
        ...info,
        info: {
          ...info.info,
          rescoredFrom: resolve(opts.from),
          rescored: new Date().toISOString(),
        },
        calibration: cal.provenance,
      };
      writeFileSync(join(opts.out, 'run.json'), `${JSON.stringify(next, null, 1)}\n`);
    }
    const renderer = new CaseRenderer(opts.atlas ?? loadAtlas(), set);
    let rescored = 0;
    for (const rec of records) {
      const id = rec.case.id;
      if (readCaseRecord(opts.out, id) === null) {
        const src = join(opts.from, rec.image);
        if (!existsSync(src)) throw new Error(`${src} is missing; rerun "bench run" for ${id}`);
        const r = renderer.render(rec.case);
        const png = readPng(src);
        const generated =
          png.channels === 3 ? png : { ...png, channels: 3 as const, data: dropAlpha(png.data) };
        const score = await scoreCase(
          {
            id,
            level: rec.case.level,
            scene: r.scene,
            boxes: r.boxes,
            references: r.references,
            generated,
            layout: r.layout,
          },
          cal,
          net,
        );
        copyFileSync(src, imagePath(opts.out, id));
        const next: CaseRecord = {
          ...rec,
          score: {
            ...score,
            instances: score.instances.map((i) => ({ ...i, found: i.found ? [...i.found] : null })),
          },
        };
        writeJsonAtomic(casePath(opts.out, id), next);
        rescored++;
      }
      opts.onCase?.();
    }
    return { cases: records.length, rescored };
  } finally {
    if (!opts.identityNet) await net.dispose();
  }
}

function dropAlpha(rgba: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array((rgba.length / 4) * 3);
  for (let i = 0, o = 0; i < rgba.length; i += 4, o += 3) {
    out[o] = rgba[i]!;
    out[o + 1] = rgba[i + 1]!;
    out[o + 2] = rgba[i + 2]!;
  }
  return out;
}
