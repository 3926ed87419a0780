/** `contextgen layout <request> -o layout.png`: the composed layout image with boxes drawn. */
import {
  commandUsage,
  MAX_PLAN_INSTANCES,
  parseCommand,
  requestLayout,
  requestLimits,
  validateRequest,
  type CommandSpec,
  type ModelCard,
  type RequestLimits,
} from '@contextgen/core';
import { writePng } from '@contextgen/imaging';
import { readModelCard } from '@contextgen/runtime';
import { drawBoxes } from '../draw-boxes.ts';
import { inRequestFile, UsageError } from '../errors.ts';
import type { Io } from '../io.ts';
import { chooseModel } from '../model-choice.ts';
import { prepareOutputPng } from '../output-file.ts';
import { CANVAS_OPTIONS, canvasNote, readRequestFile, requestAtCanvas } from '../request-file.ts';
import { CUTOUT_OPTIONS, decodeRequestImagesWithMatting } from '../request-images.ts';

export const LAYOUT_COMMAND = {
  name: 'contextgen layout',
  synopsis: '<request.json|segment_info.json> -o layout.png [options]',
  summary:
    'the layout image the model sees (a ready layoutImage is resized to the canvas as generate does), boxes drawn',
  options: {
    output: { type: 'string', short: 'o', value: 'FILE', help: 'PNG to write (required)' },
    model: {
      type: 'string',
      value: 'DIR|NAME',
      help: "validate against this model's limits (default: the installed model, if any)",
    },
    ...CANVAS_OPTIONS,
    ...CUTOUT_OPTIONS,
    'no-boxes': { type: 'boolean', help: 'the plain layout image, without outlines and indices' },
  },
  positionals: { min: 1, max: 1, what: 'request file' },
} as const satisfies CommandSpec;

export const LAYOUT_USAGE = commandUsage(LAYOUT_COMMAND);

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
  const args = parseCommand(LAYOUT_COMMAND, argv);
  if (args.help) {
    io.out(LAYOUT_USAGE);
    return 0;
  }
  const { values, positionals } = args;
  const requestPath = positionals[0]!;
  if (values.output === undefined)
    throw new UsageError('layout needs -o OUT.png; run `contextgen layout --help`');
  const output = await prepareOutputPng(values.output);
  const file = await readRequestFile(requestPath, values.entry);
  let limits = NO_MODEL_LIMITS;
  let manifest: ModelCard | undefined;
  try {
    manifest = await readModelCard(
      chooseModel(values.model, file.json.model, file.dir, requestPath),
    );
    limits = requestLimits(manifest);
  } catch (err) {
    if (values.model !== undefined || !(err instanceof Error) || err.name !== 'ModelNotFoundError')
      throw err;
    io.err(
      "note: no model installed; the layout is checked without a model's limits (token size, instance count)",
    );
  }
  const sized = requestAtCanvas(file, values, manifest);
  const note = canvasNote(file, sized);
  if (note) io.err(note);
  const { request, warnings } = await inRequestFile(requestPath, () =>
    validateRequest(sized, limits),
  );
  const { images, cutoutWarnings } = await decodeRequestImagesWithMatting(
    request,
    file.dir,
    values['matting-model'],
    values.cutout,
  );
  const layout = requestLayout(request, images, warnings);
  for (const w of warnings) io.err(`warning: ${w}`);
  for (const w of cutoutWarnings) io.err(`warning: ${w}`);
  const boxes = request.instances.map((i) => i.box);
  await writePng(output, values['no-boxes'] ? layout : drawBoxes(layout, boxes));
  io.out(`wrote ${output} (${layout.width}x${layout.height}, ${boxes.length} boxes)`);
  return 0;
}
