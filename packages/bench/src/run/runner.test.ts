import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAtlas } from '@contextgen/dataset';
import { loadCalibration } from '../eval/evaluators.ts';
import { casePath, readAllCases } from './run-folder.ts';
import { runBench } from './runner.ts';
import { buildReport } from '../report/report.ts';
import { rescoreRun } from './rescore.ts';

const atlas = loadAtlas();
const calibration = loadCalibration();

test('a run resumes: finished cases are skipped, a missing one is redone identically', async () => {
  const out = mkdtempSync(join(tmpdir(), 'bench-run-'));
  try {
    const first = await runBench({
      model: 'layout',
      set: 'heldout',
      out,
      limit: 3,
      atlas,
      calibration,
    });
    assert.equal(first.generated, 3);
    assert.equal(first.skipped, 0);
    const ids = readAllCases(out).map((r) => r.case.id);
    assert.deepEqual(ids, ['heldout-L2-000', 'heldout-L3-000', 'heldout-L4-000']); // --limit spreads over levels
    const before = readFileSync(casePath(out, ids[1]!), 'utf8');
    rmSync(casePath(out, ids[1]!));

    const seen: boolean[] = [];
    const second = await runBench({
      model: 'layout',
      set: 'heldout',
      out,
      limit: 3,
      atlas,
      calibration,
      onCase: (skipped) => seen.push(skipped),
    });
    assert.equal(second.generated, 1);
    assert.equal(second.skipped, 2);
    assert.deepEqual(seen, [true, false, true]);
    assert.equal(readFileSync(casePath(out, ids[1]!), 'utf8'), before);
    assert.ok(existsSync(join(out, 'images', `${ids[1]}.png`)));

    // the layout row copies by definition
    for (const r of readAllCases(out)) assert.ok(r.score.instances.every((i) => i.copyPaste));

    // another model in the same folder is refused
    await assert.rejects(
      runBench({ model: 'ground-truth', set: 'heldout', out, limit: 1, atlas, calibration }),
      /already holds a run of model "layout"/,
    );

    // rescoring with the same evaluators reproduces every score; the source folder is never overwritten
    const again = `${out}-rescored`;
    try {
      const r = await rescoreRun({ from: out, out: again, atlas, calibration });
      assert.deepEqual(r, { cases: 3, rescored: 3 });
      assert.deepEqual(
        readAllCases(again).map((c) => c.score),
        readAllCases(out).map((c) => c.score),
      );
      await assert.rejects(rescoreRun({ from: out, out, atlas, calibration }), /new folder/);
    } finally {
      rmSync(again, { recursive: true, force: true });
    }

    const report = buildReport({ runs: [out], samples: 1, atlas });
    assert.match(report.markdown, /\| 0\.\d{3} \[0\.\d{3}, 0\.\d{3}\] \|/); // overall mIoU with its interval
    assert.match(report.markdown, /\| L3 \| 1 \| 3 \|/);
    assert.match(report.markdown, /copy-paste %/);
    assert.match(report.html, /<svg/);
    assert.match(report.html, /src="data:image\/png;base64,/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
