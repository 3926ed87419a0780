/**
 * The server's automatic-cutout methods: the heuristic and the matting backends installed on
 * this machine (packages/imaging/src/matting-backends.ts). A backend's model is loaded on its first
 * use and kept; `auto` is resolved per request, so a backend installed while the server runs is
 * picked up. The default comes from `serve --cutout` (default auto).
 */
import {
  ImageInputError,
  listMattingBackends,
  loadMattingBackend,
  mattingDir,
  notInstalledReason,
  resolveCutoutChoice,
  type CutoutChoice,
  type MattingBackendId,
  type MattingModel,
} from '@contextgen/imaging';
import { HttpError } from './http/errors.ts';

export type CutoutMethod = 'heuristic' | MattingBackendId;

export interface CutoutMethodInfo {
  readonly id: CutoutMethod;
  readonly installed: boolean;
  readonly licence: string;
  readonly copyleft: boolean;
  /** How to install it (backends only). */
  readonly install?: string;
}

export interface Cutouts {
  /** The server's default choice (`serve --cutout`). */
  readonly choice: CutoutChoice;
  /** Every method, with what `auto` means now. */
  list(): { default: CutoutChoice; auto: CutoutMethod; methods: CutoutMethodInfo[] };
  /**
   * The method a request's choice (else the default) means now, with its model when it is a
   * backend. @throws HttpError 422 when a named backend is not installed (with the install command)
   */
  pick(choice?: CutoutChoice): Promise<{ method: CutoutMethod; model?: MattingModel }>;
  close(): Promise<void>;
}

export function createCutouts(choice: CutoutChoice = 'auto', dir: string = mattingDir()): Cutouts {
  const loaded = new Map<MattingBackendId, Promise<MattingModel>>();
  return {
    choice,
    list() {
      return {
        default: choice,
        auto: resolveCutoutChoice('auto', dir),
        methods: [
          {
            id: 'heuristic',
            installed: true,
            licence: 'part of ContextGen',
            copyleft: false,
          },
          ...listMattingBackends(dir).map((b) => ({
            id: b.id,
            installed: b.installed,
            licence: b.licence,
            copyleft: b.copyleft,
            install: b.install,
          })),
        ],
      };
    },
    async pick(requested) {
      const method = resolveCutoutChoice(requested ?? choice, dir);
      if (method === 'heuristic') return { method };
      let model = loaded.get(method);
      if (!model) {
        model = loadMattingBackend(method, { dir });
        loaded.set(method, model);
        model.catch(() => loaded.delete(method)); // not installed yet: try again next time
      }
      try {
        return { method, model: await model };
      } catch (err) {
        const message = err instanceof ImageInputError ? err.message : notInstalledReason(method);
        throw new HttpError(422, 'cutout_backend_unavailable', message, 'method');
      }
    },
    async close() {
      const models = await Promise.allSettled(loaded.values());
      loaded.clear();
      for (const m of models) if (m.status === 'fulfilled') await m.value.dispose();
    },
  };
}
