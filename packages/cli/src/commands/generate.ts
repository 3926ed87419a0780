/** `contextgen generate <request.json|segment_info.json> -o out.png [...]` */
import { basename, dirname, extname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { commandUsage, parseCommand, validateForCard, type CommandSpec } from '@contextgen/core';
import { writePng } from '@contextgen/imaging';
import { openGenerator, readModelCard } from '@contextgen/runtime';
import { inRequestFile, UsageError } from '../errors.ts';
import { assertTrained, chooseModel } from '../model-choice.ts';
import { optional, parseGuidance, parseSeed, parseSteps, parseThreads } from '../options.ts';
import { prepareOutputPng } from '../output-file.ts';
import { stepBar } from '../progress.ts';
import { CANVAS_OPTIONS, canvasNote, readRequestFile, requestAtCanvas } from '../request-file.ts';
import { CUTOUT_OPTIONS, decodeRequestImagesWithMatting } from '../request-images.ts';
import type { Io } from '../io.ts';

export const GENERATE_COMMAND = {
  name: 'contextgen generate',
  synopsis: '<request.json|segment_info.json> -o out.png [options]',
  summary: 'generate one image; prints the seed used and the time taken',
  options: {
    output: {
      type: 'string',
      short: 'o',
      value: 'FILE',
      help: 'PNG to write (required; its folder is created)',
    },
    model: {
      type: 'string',
      value: 'DIR|NAME',
      help: 'model folder (default: CONTEXTGEN_MODEL, then models/embedded)',
    },
    seed: {
      type: 'string',
      value: 'N',
      help: "0..4294967295, or -1 / random for a random one (default: the request's, else random; always printed)",
    },
    steps: {
      type: 'string',
      value: 'N',
      help: "sampling steps (default: the request's, else the model's)",
    },
    guidance: { type: 'string', value: 'G', help: 'classifier-free guidance scale (1 = off)' },
    threads: {
      type: 'string',
      value: 'N',
      help: 'ONNX Runtime intra-op threads (default: all cores, at most 8)',
    },
    ...CANVAS_OPTIONS,
    ...CUTOUT_OPTIONS,
    'save-layout': { type: 'boolean', help: 'also write the layout image as <out>.layout.png' },
    'allow-untrained': {
      type: 'boolean',
      help: 'run a model marked trained: false (debugging only; its output is noise)',
    },
  },
  positionals: { min: 1, max: 1, what: 'request file' },
} as const satisfies CommandSpec;

export const GENERATE_USAGE = commandUsage(GENERATE_COMMAND);

/** `out.png` -> `out.layout.png` beside it. */
export function layoutPathFor(output: string): string {
  const ext = extname(output);
  return join(dirname(output), `${basename(output, ext)}.layout${ext || '.png'}`);
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

export async function runGenerate(argv: string[], io: Io): Promise<number> {
  const args = parseCommand(GENERATE_COMMAND, argv);
  if (args.help) {
    io.out(GENERATE_USAGE);
    return 0;
  }
  const { values, positionals } = args;
  const requestPath = positionals[0]!;
  if (values.output === undefined)
    throw new UsageError(`generate needs -o OUT.png; run \`contextgen generate --help\``);
  const seed = optional(values.seed, parseSeed);
  const steps = optional(values.steps, parseSteps);
  const guidance = optional(values.guidance, parseGuidance);
  const threads = optional(values.threads, parseThreads);
  const start = performance.now();
  // Before any work: a run must not end in "cannot write" after the whole generation.
  const output = await prepareOutputPng(values.output);

  const file = await readRequestFile(requestPath, values.entry);
  const json: Record<string, unknown> = {
    ...file.json,
    ...(steps !== undefined ? { steps } : {}),
    ...(guidance !== undefined ? { guidance } : {}),
  };
  if (seed === 'random') delete json.seed;
  else if (seed !== undefined) json.seed = seed;
  const card = await readModelCard(chooseModel(values.model, json.model, file.dir, requestPath));
  const sized = requestAtCanvas({ ...file, json }, values, card);
  const note = canvasNote(file, sized);
  if (note) io.err(note);
  const { request, warnings } = await inRequestFile(requestPath, () =>
    validateForCard(card, sized),
  );
  for (const w of warnings) io.err(`warning: ${w}`);

  const decodeStart = performance.now();
  const { images, maskSources, cutoutWarnings } = await decodeRequestImagesWithMatting(
    request,
    file.dir,
    values['matting-model'],
    values.cutout,
  );
  const decodeMs = performance.now() - decodeStart;
  maskSources.forEach((s, j) => {
    if (s === 'auto-cutout')
      io.err(`note: instances[${j}].reference has no alpha; cut out automatically`);
    if (s === 'matting')
      io.err(`note: instances[${j}].reference has no alpha; cut out by the matting model`);
  });
  for (const w of cutoutWarnings) io.err(`warning: ${w}`);

  const allowUntrained = values['allow-untrained'] === true;
  assertTrained(card, allowUntrained);
  const generator = await openGenerator(card, {
    allowUntrained,
    ...(threads !== undefined ? { threads } : {}),
  });
  const loadMs = performance.now() - decodeStart - decodeMs;
  const bar = stepBar(`generating ${request.width}x${request.height}`, request.steps);
  let result;
  try {
    result = await inRequestFile(requestPath, () =>
      generator.generate(request, images, { onProgress: (p) => bar.update(p) }),
    );
  } finally {
    bar.stop();
    await generator.dispose();
  }
  for (const w of result.warnings) if (!warnings.includes(w)) io.err(`warning: ${w}`);

  await writePng(output, result.image);
  if (values['save-layout']) {
    await writePng(layoutPathFor(output), result.layout);
    io.out(`layout image: ${layoutPathFor(output)}`);
  }
  const t = result.timings;
  io.out(
    `wrote ${output} (${request.width}x${request.height}, ${result.tokens} tokens, ${request.steps} steps)`,
  );
  io.out(`seed: ${result.seed}`);
  io.out(
    `time: ${seconds(performance.now() - start)} total; generate ${seconds(t.totalMs)} = model ${seconds(t.modelMs)} + outside the model ${seconds(t.totalMs - t.modelMs)} (compose ${t.composeMs.toFixed(1)} ms, plan ${t.planMs.toFixed(1)} ms); decode images ${seconds(decodeMs)}, load model ${seconds(loadMs)}`,
  );
  if (!card.trained) {
    io.err(
      `WARNING: ${output} was made by the UNTRAINED model "${card.name}" (trained: false in ${card.folder}). ` +
        'It is noise, not a result; use it only to debug the pipeline.',
    );
  }
  return 0;
}
