/**
 * `--cutout auto|heuristic|<backend>`: which method cuts out references without alpha.
 * - `heuristic`: the classical automatic cutout (cutout.ts), its masks checked (mask-checks.ts);
 * - `<backend>`: an installed matting backend (matting-backends.ts), an error when not installed;
 * - `auto` (default): the first installed permissive backend, else the heuristic.
 * Backends' sessions are created on first use (`lazyMatting`).
 * Copyleft backends are used only when named. `--matting-model PATH` (any ONNX file with the
 * documented I/O) still overrides the choice.
 */
import { ImageInputError } from './errors.ts';
import {
  backendModelPath,
  installCommand,
  isBackendInstalled,
  isMattingBackendId,
  loadMattingBackend,
  MATTING_BACKEND_IDS,
  MATTING_BACKENDS,
  mattingDir,
  notInstalledReason,
  type MattingBackendId,
} from './matting-backends.ts';
import { loadMattingModel, type MattingModel } from './matting.ts';

export type CutoutChoice = 'auto' | 'heuristic' | MattingBackendId;

export const CUTOUT_CHOICES: readonly CutoutChoice[] = [
  'auto',
  'heuristic',
  ...MATTING_BACKEND_IDS,
];

/** For usage texts. */
export const CUTOUT_OPTION_HELP = `--cutout METHOD          cutout of references without alpha: auto (default: an installed permissive matting backend, else heuristic), heuristic, ${MATTING_BACKEND_IDS.join(', ')} (install: npm run matting:install -- <backend>)`;

export function parseCutoutChoice(value: string, flag = '--cutout'): CutoutChoice {
  if (value === 'auto' || value === 'heuristic' || isMattingBackendId(value)) return value;
  throw new ImageInputError(
    `${flag} ${JSON.stringify(value)}`,
    `unknown cutout method; use one of ${CUTOUT_CHOICES.join(', ')}`,
  );
}

/** The backend `auto` picks with what is installed in `dir`, or undefined for the heuristic. */
export function autoBackend(dir: string = mattingDir()): MattingBackendId | undefined {
  return MATTING_BACKEND_IDS.find(
    (id) => !MATTING_BACKENDS[id].copyleft && isBackendInstalled(id, dir),
  );
}

/** The concrete method a choice means now: a backend id or `heuristic`. */
export function resolveCutoutChoice(
  choice: CutoutChoice,
  dir: string = mattingDir(),
): MattingBackendId | 'heuristic' {
  if (choice === 'auto') return autoBackend(dir) ?? 'heuristic';
  return choice;
}

/** What to tell a user of the heuristic to get a better mask. */
export function heuristicFix(): string {
  return `check the mask, upload an image with transparency or a mask, or install a matting backend (${installCommand('u2netp')}) and choose it`;
}

/** A model whose session is created on the first `matte` (never, when every reference has alpha). */
export function lazyMatting(path: string, load: () => Promise<MattingModel>): MattingModel {
  let loaded: Promise<MattingModel> | undefined;
  return {
    path,
    async matte(image) {
      loaded ??= load();
      return (await loaded).matte(image);
    },
    async dispose() {
      const model = await loaded?.catch(() => undefined); // a failed load has nothing to free
      await model?.dispose();
    },
  };
}

/**
 * The matting model for a CLI run: `--matting-model PATH` when given (loaded and checked now),
 * else the backend the choice resolves to, loaded on first use (undefined: the heuristic).
 * The caller disposes it.
 * @throws ImageInputError when a named backend is not installed or the model file is unusable
 */
export async function loadCutoutMatting(
  choice: CutoutChoice,
  mattingModelPath?: string,
  options: { readonly dir?: string; readonly threads?: number } = {},
): Promise<MattingModel | undefined> {
  if (mattingModelPath !== undefined) return loadMattingModel(mattingModelPath, options);
  const dir = options.dir ?? mattingDir();
  const method = resolveCutoutChoice(choice, dir);
  if (method === 'heuristic') return undefined;
  if (!isBackendInstalled(method, dir))
    throw new ImageInputError(`cutout backend ${method}`, notInstalledReason(method));
  return lazyMatting(backendModelPath(method, dir), () =>
    loadMattingBackend(method, { ...options, dir }),
  );
}
