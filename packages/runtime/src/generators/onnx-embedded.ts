/**
 * The `onnx-embedded` model kind: a contextgen-model/1 folder (model.json + ONNX files, spec
 * CONTRACTS section 4) run by ONNX Runtime through core's pipeline.
 */
import {
  generate,
  latentToImage,
  parseManifest,
  validateForCard,
  type Executor,
  type Generator,
  type ModelCard,
  type ModelManifest,
} from '@contextgen/core';
import { loadModel, missingFiles, ModelFolderError } from '../load-model.ts';
import type { ModelKind, OpenOptions } from './kind.ts';

/** The card of a contextgen-model/1 manifest. */
export function manifestCard(manifest: ModelManifest, folder: string): ModelCard {
  return {
    kind: 'onnx-embedded',
    name: manifest.name,
    folder,
    description: manifest.description,
    trained: manifest.trained,
    tokenSize: manifest.tokenSize,
    limits: manifest.limits,
    sampling: manifest.sampling,
    provenance: manifest.provenance,
  };
}

/** An executor that waits after each denoiser call (tests and demos of progress). */
function slowed(executor: Executor, delayMs: number): Executor {
  if (delayMs <= 0) return executor;
  return {
    manifest: executor.manifest,
    encodeText: (ids, b, l) => executor.encodeText(ids, b, l),
    denoise: async (inputs) => {
      const out = await executor.denoise(inputs);
      await new Promise((r) => setTimeout(r, delayMs));
      return out;
    },
    dispose: () => executor.dispose(),
  };
}

/** Opens the ONNX sessions and runs core's `generate` over them. */
export async function openOnnxGenerator(card: ModelCard, options: OpenOptions): Promise<Generator> {
  const model = await loadModel(
    card.folder,
    options.threads !== undefined ? { threads: options.threads } : {},
  );
  const { vocab } = model;
  const executor = slowed(model.executor, options.stepDelayMs ?? 0);
  let disposed = false;
  return {
    card,
    validate: (request) => validateForCard(card, request),
    async generate(request, images, run = {}) {
      if (disposed) throw new Error(`model "${card.name}" was disposed; open it again`);
      const P = card.tokenSize;
      // The validated canvas (a multiple of P) is what the latent covers.
      const { request: valid } = validateForCard(card, request);
      const { onProgress } = run;
      return generate(request, images, executor, {
        vocab,
        ...(run.signal ? { signal: run.signal } : {}),
        ...(run.previews ? { reportLatent: true } : {}),
        ...(onProgress
          ? {
              onProgress: (p) =>
                onProgress({
                  step: p.step,
                  total: p.total,
                  ...(p.latent
                    ? { preview: latentToImage(p.latent, valid.width, valid.height, P) }
                    : {}),
                }),
            }
          : {}),
      });
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      await executor.dispose();
    },
  };
}

export const onnxEmbeddedKind: ModelKind = {
  kind: 'onnx-embedded',
  readCard(json, folder, options = {}) {
    const manifest = parseManifest(json, folder);
    const missing = options.checkFiles === false ? [] : missingFiles(folder, manifest);
    if (missing.length > 0) {
      throw new ModelFolderError(
        `model "${manifest.name}" in ${folder} lacks ${missing.join(', ')} named in model.json; copy the complete folder or re-export it`,
      );
    }
    return Promise.resolve(manifestCard(manifest, folder));
  },
  open: openOnnxGenerator,
};
