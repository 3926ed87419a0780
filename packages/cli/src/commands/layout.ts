/** `contextgen layout <request> -o layout.png`: the composed layout image with boxes drawn. */
import { parseArgs } from 'node:util';
import { extname, resolve } from 'node:path';
import {
  composeLayout,
  layoutInstances,
  MAX_PLAN_INSTANCES,
  requestLimits,
  validateRequest,
  type RequestLimits,
} from '@contextgen/core';
import { writePng } from '@contextgen/imaging';
import { readModelCard } from '@contextgen/runtime';
import { drawBoxes } from '../draw-boxes.ts';
import { inRequestFile, UsageError } from '../errors.ts';
import type { Io } from '../io.ts';
import { chooseModel } from '../model-choice.ts';
import { readRequestFile } from '../request-file.ts';
import { decodeRequestImagesWithMatting } from '../request-images.ts';

export const LAYOUT_USAGE = `contextgen layout <request.json|segment_info.json> -o layout.png [options]
  -o, --output FILE        PNG to write (required)
  --model DIR|NAME         validate against this model's limits (default: the installed model, if any)
  --matting-model PATH     ONNX matting model for references without alpha
  --no-boxes               the plain layout image, without outlines and indices`;

/** Limits used when no model is installed: no rounding (token size 1), the plan's instance cap. */
const NO_MODEL_LIMITS: RequestLimits = {
  tokenSize: 1,
  maxInstances: MAX_PLAN_INSTANCES,
  minSide: 1,
  maxSide: 8192,
  defaultSteps: 1,
  defaultGuidance: 1,
};

export async function runLayout(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      output: { type: 'string', short: 'o' },
      model: { type: 'string' },
      'matting-model': { type: 'string' },
      'no-boxes': { type: 'boolean' },
    },
  });
  if (positionals.length !== 1) {
    throw new UsageError(
      `layout takes one request file, got ${positionals.length}\n${LAYOUT_USAGE}`,
    );
  }
  if (values.output === undefined) throw new UsageError(`layout needs -o OUT.png\n${LAYOUT_USAGE}`);
  if (extname(values.output).toLowerCase() !== '.png') {
    throw new UsageError(
      `-o ${values.output}: the output is written as PNG; give a file name ending in .png`,
    );
  }
  const file = await readRequestFile(positionals[0]!);
  let limits = NO_MODEL_LIMITS;
  try {
    limits = requestLimits(
      await readModelCard(chooseModel(values.model, file.json.model, file.dir)),
    );
  } catch (err) {
    if (values.model !== undefined || !(err instanceof Error) || err.name !== 'ModelNotFoundError')
      throw err;
    io.err(
      "note: no model installed; the layout is checked without a model's limits (token size, instance count)",
    );
  }
  const { request, warnings } = await inRequestFile(positionals[0]!, () =>
    validateRequest(file.json, limits),
  );
  for (const w of warnings) io.err(`warning: ${w}`);
  const { images } = await decodeRequestImagesWithMatting(
    request,
    file.dir,
    values['matting-model'],
  );
  const layout =
    images.layout ??
    composeLayout(request.width, request.height, layoutInstances(request, images.references));
  const boxes = request.instances.map((i) => i.box);
  const output = resolve(values.output);
  await writePng(output, values['no-boxes'] ? layout : drawBoxes(layout, boxes));
  io.out(`wrote ${output} (${layout.width}x${layout.height}, ${boxes.length} boxes)`);
  return 0;
}
