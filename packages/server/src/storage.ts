/**
 * The storage folder: uploads and job results. Every path is built from a server-generated
 * id (checked against its pattern) and a fixed file name, never from client text.
 *
 *   <root>/uploads/<upl_id>/meta.json, original.<png|jpg|webp>, cutout.png, mask.png
 *   <root>/jobs/<job_id>/job.json, result.png, layout.png
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { CutoutMethod } from './cutouts.ts';
import { isId, type IdKind } from './ids.ts';

export const UPLOAD_FILES = ['original', 'cutout.png', 'mask.png'] as const;
export type UploadFile = (typeof UPLOAD_FILES)[number];
export const JOB_FILES = ['result.png', 'layout.png'] as const;
export type JobFile = (typeof JOB_FILES)[number];

export type MaskSource = 'alpha' | 'auto' | 'none';

export interface UploadMeta {
  readonly id: string;
  /** The client's file name, for display only (never used in a path). */
  readonly name: string;
  readonly format: 'png' | 'jpeg' | 'webp';
  readonly width: number;
  readonly height: number;
  /** Size of the stored cutout (downscaled when the original is large). */
  readonly cutoutWidth: number;
  readonly cutoutHeight: number;
  readonly maskSource: MaskSource;
  /** With maskSource auto: the method that made the mask (heuristic or a matting backend). */
  readonly cutoutMethod?: CutoutMethod;
  /** Fraction of cutout pixels inside the mask. */
  readonly maskCoverage: number;
  /** What the user should know about the cutout (kept so a reloaded editor still shows it). */
  readonly warnings?: readonly string[];
  readonly createdAt: string;
}

const ORIGINAL_EXT: Record<UploadMeta['format'], string> = {
  png: 'png',
  jpeg: 'jpg',
  webp: 'webp',
};

export class Storage {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  async init(): Promise<void> {
    await mkdir(join(this.root, 'uploads'), { recursive: true });
    await mkdir(join(this.root, 'jobs'), { recursive: true });
  }

  #dir(kind: IdKind, id: string): string {
    if (!isId(kind, id))
      throw new Error(`refusing a malformed ${kind} id in a storage path: ${JSON.stringify(id)}`);
    return join(this.root, kind === 'upl' ? 'uploads' : 'jobs', id);
  }

  uploadPath(id: string, file: UploadFile, meta?: UploadMeta): string {
    const name = file === 'original' ? `original.${ORIGINAL_EXT[meta?.format ?? 'png']}` : file;
    return join(this.#dir('upl', id), name);
  }

  jobPath(id: string, file: JobFile | 'job.json'): string {
    return join(this.#dir('job', id), file);
  }

  async saveUpload(
    meta: UploadMeta,
    files: { original: Uint8Array; cutout: Uint8Array; mask: Uint8Array },
  ): Promise<void> {
    await mkdir(this.#dir('upl', meta.id), { recursive: true });
    await atomicWrite(this.uploadPath(meta.id, 'original', meta), files.original);
    await this.replaceCutout(meta, files.cutout, files.mask);
  }

  async replaceCutout(meta: UploadMeta, cutout: Uint8Array, mask: Uint8Array): Promise<void> {
    await atomicWrite(this.uploadPath(meta.id, 'cutout.png'), cutout);
    await atomicWrite(this.uploadPath(meta.id, 'mask.png'), mask);
    await atomicWrite(join(this.#dir('upl', meta.id), 'meta.json'), JSON.stringify(meta, null, 2));
  }

  async readUploadMeta(id: string): Promise<UploadMeta | undefined> {
    return readJson<UploadMeta>(join(this.#dir('upl', id), 'meta.json'));
  }

  async readUploadFile(id: string, file: UploadFile): Promise<Buffer | undefined> {
    const meta = await this.readUploadMeta(id);
    if (!meta) return undefined;
    return readOptional(this.uploadPath(id, file, meta));
  }

  async writeJobFile(
    id: string,
    file: JobFile | 'job.json',
    bytes: Uint8Array | string,
  ): Promise<void> {
    await mkdir(this.#dir('job', id), { recursive: true });
    await atomicWrite(this.jobPath(id, file), bytes);
  }

  async readJobFile(id: string, file: JobFile): Promise<Buffer | undefined> {
    return readOptional(this.jobPath(id, file));
  }

  async readJobRecord<T>(id: string): Promise<T | undefined> {
    return readJson<T>(this.jobPath(id, 'job.json'));
  }
}

let tmpCounter = 0;

async function atomicWrite(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${path}.${process.pid}.${tmpCounter++}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

async function readOptional(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function readJson<T>(path: string): Promise<T | undefined> {
  const bytes = await readOptional(path);
  return bytes ? (JSON.parse(bytes.toString('utf8')) as T) : undefined;
}
