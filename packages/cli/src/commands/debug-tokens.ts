/**
 * `contextgen debug tokens <request> [--model DIR]`: the token plan as JSON. The model folder is
 * read through its card, so any kind works: an embedded model's plan includes the prompt's and
 * phrases' token ids; a FLUX model's text is tokenized by its worker, so its plan has no ids.
 */
import {
  chooseSubcommand,
  commandUsage,
  debugTokens,
  groupUsage,
  parseCommand,
  prepareGeneration,
  requestLimits,
  validateForCard,
  validateRequest,
  type CommandGroup,
  type CommandSpec,
  type OptionValues,
  type TokenPlan,
} from '@contextgen/core';
import {
  isFluxCard,
  planFluxJob,
  readModelCard,
  readModelInfo,
  type FluxCard,
} from '@contextgen/runtime';
import { inRequestFile } from '../errors.ts';
import type { Io } from '../io.ts';
import { jsonRows } from '../json-rows.ts';
import { chooseModel } from '../model-choice.ts';
import {
  CANVAS_OPTIONS,
  canvasNote,
  readRequestFile,
  requestAtCanvas,
  type RequestFile,
} from '../request-file.ts';
import { CUTOUT_OPTIONS, decodeRequestImagesWithMatting } from '../request-images.ts';

export const DEBUG_TOKENS_COMMAND = {
  name: 'contextgen debug tokens',
  synopsis: '<request.json|segment_info.json> [options]',
  summary:
    'prints JSON: token segments, descriptors (seg, inst, cover, valid), position ids [axis0, y, x] and the dense CLA and ICA masks',
  options: {
    model: {
      type: 'string',
      value: 'DIR|NAME',
      help: 'model folder (default: the installed model)',
    },
    ...CANVAS_OPTIONS,
    ...CUTOUT_OPTIONS,
  },
  positionals: { min: 1, max: 1, what: 'request file' },
} as const satisfies CommandSpec;

export const DEBUG_GROUP: CommandGroup = {
  name: 'contextgen debug',
  summary: 'inspect what the model is given',
  commands: [{ word: 'tokens', spec: DEBUG_TOKENS_COMMAND }],
};

export const DEBUG_USAGE = commandUsage(DEBUG_TOKENS_COMMAND);

/** What every kind's output starts with: the model, the canvas and the plan's sizes. */
function planFacts(
  model: string,
  tokenSize: number,
  canvas: { readonly width: number; readonly height: number },
  plan: TokenPlan,
) {
  return {
    model,
    width: canvas.width,
    height: canvas.height,
    tokenSize,
    mainGrid: plan.mainGrid,
    length: plan.length,
    textLength: plan.textLength,
    imageLength: plan.imageLength,
  };
}

export async function runDebug(argv: string[], io: Io): Promise<number> {
  const sub = chooseSubcommand(DEBUG_GROUP, argv);
  if (sub.help) {
    io.out(groupUsage(DEBUG_GROUP));
    return 0;
  }
  const args = parseCommand(DEBUG_TOKENS_COMMAND, sub.rest);
  if (args.help) {
    io.out(DEBUG_USAGE);
    return 0;
  }
  const { values, positionals } = args;
  const requestPath = positionals[0]!;
  const file = await readRequestFile(requestPath, values.entry);
  const folder = chooseModel(values.model, file.json.model, file.dir, requestPath);
  const card = await readModelCard(folder);
  if (isFluxCard(card)) return fluxTokens(card, file, values, requestPath, io);
  const info = await readModelInfo(folder);
  const sized = requestAtCanvas(file, values, info.manifest);
  const note = canvasNote(file, sized);
  if (note) io.err(note);
  const { request, warnings } = await inRequestFile(requestPath, () =>
    validateRequest(sized, requestLimits(info.manifest)),
  );
  const { images } = await decodeRequestImagesWithMatting(
    request,
    file.dir,
    values['matting-model'],
    values.cutout,
  );
  const prep = await inRequestFile(requestPath, () =>
    prepareGeneration(request, images, info.manifest, info.vocab),
  );
  for (const w of new Set([...warnings, ...prep.warnings])) io.err(`warning: ${w}`);
  const plan = prep.plan;
  io.out(
    jsonRows({
      ...planFacts(info.manifest.name, info.manifest.tokenSize, request, plan),
      promptIds: prep.promptIds,
      phraseIds: prep.phraseIds,
      ...debugTokens(plan),
    }),
  );
  return 0;
}

/** A FLUX model's plan, made by the same `planFluxJob` that writes the worker's job.json. */
async function fluxTokens(
  card: FluxCard,
  file: RequestFile,
  values: OptionValues<typeof DEBUG_TOKENS_COMMAND.options>,
  requestPath: string,
  io: Io,
): Promise<number> {
  const sized = requestAtCanvas(file, values, card);
  const note = canvasNote(file, sized);
  if (note) io.err(note);
  const { request } = await inRequestFile(requestPath, () => validateForCard(card, sized));
  const { images } = await decodeRequestImagesWithMatting(
    request,
    file.dir,
    values['matting-model'],
    values.cutout,
  );
  const { plan, warnings } = await inRequestFile(requestPath, () =>
    planFluxJob(card, request, images),
  );
  for (const w of new Set(warnings)) io.err(`warning: ${w}`);
  io.out(
    jsonRows({
      ...planFacts(card.name, card.tokenSize, request, plan),
      kind: card.kind,
      ...debugTokens(plan),
    }),
  );
  return 0;
}
