/**
 * The TypeScript half of the train/inference parity check, in one process: export records
 * 0..COUNT-1 of a dataset folder as request folders (OUT_DIR/sI) and dump what the pipeline feeds
 * the denoiser for each (OUT_DIR/sI/ts). The Python half: `python -m contextgen_train.parity`.
 *
 *   npx tsx scripts/parity/ts-side.ts DATA_DIR MODEL_DIR OUT_DIR [COUNT]
 */
import { join } from 'node:path';
import { dumpTs } from './dump-ts.ts';
import { exportSample } from './export-sample.ts';

const [dataDir, modelDir, outDir, countRaw] = process.argv.slice(2);
if (dataDir === undefined || modelDir === undefined || outDir === undefined) {
  console.error('usage: npx tsx scripts/parity/ts-side.ts DATA_DIR MODEL_DIR OUT_DIR [COUNT]');
  process.exit(2);
}
const count = Number(countRaw ?? 1);
for (let i = 0; i < count; i++) {
  const dir = join(outDir, `s${i}`);
  const request = await exportSample(dataDir, i, dir);
  await dumpTs(request, modelDir, join(dir, 'ts'));
}
console.log(`wrote ${count} samples to ${outDir}`);
