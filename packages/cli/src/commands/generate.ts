/** `contextgen generate <request.json|segment_info.json> -o out.png [...]` */
import { parseArgs } from 'node:util';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { validateForCard } from '@contextgen/core';
import { writePng } from '@contextgen/imaging';
import { openGenerator, readModelCard } from '@contextgen/runtime';
import { inRequestFile, UsageError } from '../errors.ts';
import { assertTrained, chooseModel } from '../model-choice.ts';
import { optional, parseGuidance, parseSeed, parseSteps, parseThreads } from '../options.ts';
import { stepBar } from '../progress.ts';
import { readRequestFile } from '../request-file.ts';
import { decodeRequestImagesWithMatting } from '../request-images.ts';
import type { Io } from '../io.ts';

export const GENERATE_USAGE = `contextgen generate <request.json|segment_info.json> -o out.png [options]
  -o, --output FILE        PNG to write (required)
  --model DIR|NAME         model folder (default: CONTEXTGEN_MODEL, then models/embedded)
  --seed N                 0..4294967295 (default: the request's, else random; always printed)
  --steps N                sampling steps (default: the request's, else the model's)
  --guidance G             classifier-free guidance scale (1 = off)
  --threads N              ONNX Runtime intra-op threads (default: all cores, at most 8)
  --matting-model PATH     ONNX matting model for references without alpha (default: automatic cutout)
  --save-layout            also write the layout image as <out>.layout.png
  --allow-untrained        run a model marked trained: false (debugging only; its output is noise)`;

/** `out.png` -> `out.layout.png` beside it. */
export function layoutPathFor(output: string): string {
  const ext = extname(output);
  return join(dirname(output), `${basename(output, ext)}.layout${ext || '.png'}`);
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

export async function runGenerate(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      output: { type: 'string', short: 'o' },
      model: { type: 'string' },
      seed: { type: 'string' },
      steps: { type: 'string' },
      guidance: { type: 'string' },
      threads: { type: 'string' },
      'matting-model': { type: 'string' },
      'save-layout': { type: 'boolean' },
      'allow-untrained': { type: 'boolean' },
    },
  });
  if (positionals.length !== 1) {
    throw new UsageError(
      `generate takes one request file, got ${positionals.length}\n${GENERATE_USAGE}`,
    );
  }
  if (values.output === undefined)
    throw new UsageError(`generate needs -o OUT.png\n${GENERATE_USAGE}`);
  if (extname(values.output).toLowerCase() !== '.png') {
    throw new UsageError(
      `-o ${values.output}: the output is written as PNG; give a file name ending in .png`,
    );
  }
  const seed = optional(values.seed, parseSeed);
  const steps = optional(values.steps, parseSteps);
  const guidance = optional(values.guidance, parseGuidance);
  const threads = optional(values.threads, parseThreads);
  const start = performance.now();

  const file = await readRequestFile(positionals[0]!);
  const json: Record<string, unknown> = {
    ...file.json,
    ...(seed !== undefined ? { seed } : {}),
    ...(steps !== undefined ? { steps } : {}),
    ...(guidance !== undefined ? { guidance } : {}),
  };
  const card = await readModelCard(chooseModel(values.model, json.model, file.dir));
  const { request, warnings } = await inRequestFile(positionals[0]!, () =>
    validateForCard(card, json),
  );
  for (const w of warnings) io.err(`warning: ${w}`);

  const decodeStart = performance.now();
  const { images, maskSources } = await decodeRequestImagesWithMatting(
    request,
    file.dir,
    values['matting-model'],
  );
  const decodeMs = performance.now() - decodeStart;
  maskSources.forEach((s, j) => {
    if (s === 'auto-cutout')
      io.err(`note: instances[${j}].reference has no alpha; cut out automatically`);
  });

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
    result = await inRequestFile(positionals[0]!, () =>
      generator.generate(request, images, { onProgress: (p) => bar.update(p) }),
    );
  } finally {
    bar.stop();
    await generator.dispose();
  }
  for (const w of result.warnings) if (!warnings.includes(w)) io.err(`warning: ${w}`);

  const output = resolve(values.output);
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
