/**
 * Which LoRA file a flux-kontext model uses: an explicit `.safetensors` path, or for a folder
 * the training checkpoint with the highest step (`transformer_<NNNNN>.safetensors`), the rule
 * of the official loader (which crashes on other names; here they are skipped with a reason).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ModelFolderError } from '../load-model.ts';

const CHECKPOINT = /^transformer_(\d+)\.safetensors$/;

/** The checkpoint file in `names` with the highest trailing step, or undefined. */
export function latestCheckpoint(names: readonly string[]): string | undefined {
  let best: { name: string; step: number } | undefined;
  for (const name of names) {
    const m = CHECKPOINT.exec(name);
    if (!m) continue;
    const step = Number(m[1]);
    if (best === undefined || step > best.step) best = { name, step };
  }
  return best?.name;
}

/**
 * Resolve the LoRA path of a model.json (already made absolute) to one file.
 * @throws ModelFolderError saying what is missing and what the folder should hold
 */
export function chooseLoraFile(path: string): string {
  if (!existsSync(path)) {
    throw new ModelFolderError(
      `LoRA ${path} does not exist; download the ContextGen LoRA (a transformer_NNNNN.safetensors file) and set "flux.lora" in model.json to the file or its folder`,
    );
  }
  if (statSync(path).isFile()) {
    if (!path.endsWith('.safetensors')) {
      throw new ModelFolderError(
        `LoRA ${path} is not a .safetensors file; point "flux.lora" in model.json at the ContextGen LoRA (.safetensors) or its folder`,
      );
    }
    return path;
  }
  const names = readdirSync(path);
  const chosen = latestCheckpoint(names);
  if (chosen === undefined) {
    const st = names.filter((n) => n.endsWith('.safetensors'));
    throw new ModelFolderError(
      `LoRA folder ${path} holds no transformer_NNNNN.safetensors` +
        (st.length > 0
          ? ` (it has ${st.join(', ')}: name the file in "flux.lora" explicitly)`
          : '') +
        '; put the ContextGen LoRA there or set "flux.lora" in model.json to the file',
    );
  }
  return join(path, chosen);
}
