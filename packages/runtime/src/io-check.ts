/**
 * Check a session's input/output names against the manifest's `io` section, so a model folder
 * whose ONNX files do not match its model.json fails at load time with one clear message.
 */
import type { ModelManifest } from '@contextgen/core';

export type Component = keyof ModelManifest['io'];

/** Names a component must accept and produce. The executor feeds these, CONTRACTS section 4. */
export const REQUIRED_IO: Record<Component, { inputs: string[]; outputs: string[] }> = {
  textEncoder: { inputs: ['ids'], outputs: ['emb'] },
  denoiser: {
    inputs: ['txt', 'img', 'pos', 'seg', 'inst', 'cover', 'valid', 't'],
    outputs: ['out'],
  },
};

export class ModelIoError extends Error {
  override readonly name = 'ModelIoError';
}

/**
 * Problems (empty when none) between what the manifest and the executor need and what the
 * session has. `session` = the names ONNX Runtime reports.
 */
export function ioProblems(
  component: Component,
  manifest: ModelManifest,
  session: { inputNames: readonly string[]; outputNames: readonly string[] },
): string[] {
  const problems: string[] = [];
  const spec = manifest.io[component];
  for (const kind of ['inputs', 'outputs'] as const) {
    const have = new Set(kind === 'inputs' ? session.inputNames : session.outputNames);
    const declared = Object.keys(spec[kind]);
    const needed = [...new Set([...REQUIRED_IO[component][kind], ...declared])];
    const missingInManifest = REQUIRED_IO[component][kind].filter((n) => !declared.includes(n));
    if (missingInManifest.length > 0) {
      problems.push(
        `model.json io.${component}.${kind} lacks ${missingInManifest.map((n) => `"${n}"`).join(', ')}`,
      );
    }
    const missing = needed.filter((n) => !have.has(n));
    if (missing.length > 0) {
      const list = kind === 'inputs' ? session.inputNames : session.outputNames;
      problems.push(
        `${component} ONNX ${kind} lack ${missing.map((n) => `"${n}"`).join(', ')} (the file has: ${list.map((n) => `"${n}"`).join(', ') || 'none'})`,
      );
    }
  }
  return problems;
}

/** Throw one ModelIoError listing every mismatch of every component. */
export function assertIoMatches(
  folder: string,
  manifest: ModelManifest,
  sessions: Record<Component, { inputNames: readonly string[]; outputNames: readonly string[] }>,
): void {
  const problems = (Object.keys(sessions) as Component[]).flatMap((c) =>
    ioProblems(c, manifest, sessions[c]),
  );
  if (problems.length > 0) {
    throw new ModelIoError(
      `model "${manifest.name}" in ${folder}: its ONNX files do not match model.json:\n  ${problems.join('\n  ')}\n` +
        'Re-export the model (python -m contextgen_train.export) so the files and the manifest agree (spec/CONTRACTS.md section 4).',
    );
  }
}
