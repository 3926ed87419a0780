/**
 * Project files: the whole document as one JSON file, images inlined as data URLs so the
 * file is self-contained. Upload ids are not saved (the file may be opened on another server).
 */
import { z } from 'zod';
import { fitBox } from './geometry.ts';
import { DEFAULT_VIEW } from './state.ts';
import type { Asset, EditorState, HistoryEntry, Instance } from './types.ts';

export const PROJECT_FORMAT = 'contextgen-project/1';

const DataUrl = z
  .string()
  .regex(/^data:image\/[a-z+.-]+;base64,/, 'must be a data:image/...;base64 URL');
const ImageRef = z.string().min(1);

const BoxSchema = z.object({ x1: z.number(), y1: z.number(), x2: z.number(), y2: z.number() });

const SettingsSchema = z.object({
  prompt: z.string(),
  width: z.int().positive(),
  height: z.int().positive(),
  steps: z.int().positive(),
  guidance: z.number().nonnegative(),
  seed: z.int().nonnegative().nullable(),
});

const InstanceSchema = z.object({
  id: z.string().min(1),
  assetId: z.string().nullable(),
  box: BoxSchema,
  phrase: z.string(),
  aspectLocked: z.boolean(),
  z: z.number(),
  resize: z.enum(['instance-fit', 'image-fit', 'stretch']),
});

const AssetSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  width: z.int().positive(),
  height: z.int().positive(),
  src: DataUrl,
  cutoutSrc: DataUrl.optional(),
  maskSrc: DataUrl.optional(),
  maskSource: z.enum(['alpha', 'auto', 'none']).optional(),
  warnings: z.array(z.string()).optional(),
});

const HistoryEntrySchema = z.object({
  id: z.string().min(1),
  jobId: z.string(),
  createdAt: z.string(),
  seed: z.int().nonnegative(),
  model: z.string(),
  untrained: z.boolean(),
  warnings: z.array(z.string()),
  resultSrc: ImageRef,
  layoutSrc: ImageRef.optional(),
  settings: SettingsSchema,
  instances: z.array(InstanceSchema),
});

export const ProjectFileSchema = z.object({
  format: z.literal(PROJECT_FORMAT),
  savedAt: z.string(),
  settings: SettingsSchema,
  assets: z.array(AssetSchema),
  instances: z.array(InstanceSchema),
  results: z.array(HistoryEntrySchema).default([]),
});

export type ProjectFile = z.infer<typeof ProjectFileSchema>;

/** Turns a (possibly remote) image source into a data URL; the UI supplies it (fetch + FileReader). */
export type InlineImage = (src: string) => Promise<string>;

async function inline(src: string, toDataUrl: InlineImage): Promise<string> {
  return src.startsWith('data:') ? src : toDataUrl(src);
}

async function inlineAsset(
  a: Asset,
  toDataUrl: InlineImage,
): Promise<ProjectFile['assets'][number]> {
  const out: ProjectFile['assets'][number] = {
    id: a.id,
    name: a.name,
    width: a.width,
    height: a.height,
    src: await inline(a.src, toDataUrl),
  };
  if (a.cutoutSrc) out.cutoutSrc = await inline(a.cutoutSrc, toDataUrl);
  if (a.maskSrc) out.maskSrc = await inline(a.maskSrc, toDataUrl);
  if (a.maskSource) out.maskSource = a.maskSource;
  if (a.warnings && a.warnings.length > 0) out.warnings = [...a.warnings];
  return out;
}

export async function saveProject(
  state: EditorState,
  toDataUrl: InlineImage,
  now = new Date(),
): Promise<ProjectFile> {
  return {
    format: PROJECT_FORMAT,
    savedAt: now.toISOString(),
    settings: state.settings,
    assets: await Promise.all(state.assets.map((a) => inlineAsset(a, toDataUrl))),
    instances: state.instances.map((i) => ({ ...i })),
    results: await Promise.all(
      state.results.map(async (r) => ({
        ...r,
        warnings: [...r.warnings],
        instances: r.instances.map((i) => ({ ...i })),
        resultSrc: await inline(r.resultSrc, toDataUrl),
        ...(r.layoutSrc ? { layoutSrc: await inline(r.layoutSrc, toDataUrl) } : {}),
      })),
    ),
  };
}

/** The path of a zod issue as `assets[2].src`. */
function where(path: readonly PropertyKey[]): string {
  return (
    path.reduce<string>(
      (s, p) => (typeof p === 'number' ? `${s}[${p}]` : s ? `${s}.${String(p)}` : String(p)),
      '',
    ) || '(root)'
  );
}

/**
 * Reads a project file. Instances that point at a missing asset become phrase-only; boxes
 * are made valid for the canvas (see `fitBox`).
 * @throws Error naming the first wrong field
 */
export function loadProject(json: unknown): EditorState {
  const parsed = ProjectFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const hint =
      where(issue.path) === 'format'
        ? ` (expected "${PROJECT_FORMAT}"; is this a ContextGen project file?)`
        : '';
    throw new Error(`Project file: ${where(issue.path)}: ${issue.message}${hint}`);
  }
  const p = parsed.data;
  const assetIds = new Set(p.assets.map((a) => a.id));
  const fixInstance =
    (canvas: { width: number; height: number }) =>
    (i: Instance): Instance => ({
      ...i,
      assetId: i.assetId && !assetIds.has(i.assetId) ? null : i.assetId,
      box: fitBox(i.box, canvas),
    });
  const results: HistoryEntry[] = p.results.map((r) => ({
    ...r,
    instances: r.instances.map(fixInstance(r.settings)),
  }));
  return {
    assets: p.assets,
    instances: p.instances.map(fixInstance(p.settings)),
    settings: p.settings,
    selection: [],
    view: DEFAULT_VIEW,
    results,
  };
}
