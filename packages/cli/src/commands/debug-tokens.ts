/** `contextgen debug tokens <request> [--model DIR]`: the token plan as JSON. */
import { parseArgs } from 'node:util';
import { debugTokens, prepareGeneration, requestLimits, validateRequest } from '@contextgen/core';
import { readModelInfo } from '@contextgen/runtime';
import { inRequestFile, UsageError } from '../errors.ts';
import type { Io } from '../io.ts';
import { jsonRows } from '../json-rows.ts';
import { chooseModel } from '../model-choice.ts';
import { readRequestFile } from '../request-file.ts';
import { CUTOUT_PARSE_OPTIONS, decodeRequestImagesWithMatting } from '../request-images.ts';

export const DEBUG_USAGE = `contextgen debug tokens <request.json|segment_info.json> [--model DIR|NAME] [--matting-model PATH] [--cutout METHOD]
  Prints JSON: token segments, descriptors (seg, inst, cover, valid), position ids [axis0, y, x]
  and the dense CLA and ICA attention masks (one 0/1 row per query token).`;

export async function runDebug(argv: string[], io: Io): Promise<number> {
  const [what, ...rest] = argv;
  if (what !== 'tokens')
    throw new UsageError(`unknown debug command "${what ?? ''}"\n${DEBUG_USAGE}`);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      model: { type: 'string' },
      'matting-model': { type: 'string' },
      ...CUTOUT_PARSE_OPTIONS,
    },
  });
  if (positionals.length !== 1) {
    throw new UsageError(
      `debug tokens takes one request file, got ${positionals.length}\n${DEBUG_USAGE}`,
    );
  }
  const file = await readRequestFile(positionals[0]!);
  const info = await readModelInfo(chooseModel(values.model, file.json.model, file.dir));
  const { request, warnings } = await inRequestFile(positionals[0]!, () =>
    validateRequest(file.json, requestLimits(info.manifest)),
  );
  const { images } = await decodeRequestImagesWithMatting(
    request,
    file.dir,
    values['matting-model'],
    values.cutout,
  );
  const prep = await inRequestFile(positionals[0]!, () =>
    prepareGeneration(request, images, info.manifest, info.vocab),
  );
  for (const w of new Set([...warnings, ...prep.warnings])) io.err(`warning: ${w}`);
  const plan = prep.plan;
  io.out(
    jsonRows({
      model: info.manifest.name,
      width: request.width,
      height: request.height,
      tokenSize: info.manifest.tokenSize,
      mainGrid: plan.mainGrid,
      length: plan.length,
      textLength: plan.textLength,
      imageLength: plan.imageLength,
      promptIds: prep.promptIds,
      phraseIds: prep.phraseIds,
      ...debugTokens(plan),
    }),
  );
  return 0;
}
