/**
 * The storage folder: uploads and job results. Every path is built from a server-generated
 * id (checked against its pattern) and a fixed file name, never from client text.
 *
 *   <root>/uploads/<upl_id>/meta.json, original.<png|jpg|webp>, cutout.png, mask.png
 *   <root>/jobs/<job_id>/job.json, result.png, layout.png, inputs/<upl_id>-<cutout.png|original>
 *
 * Every write goes to a `.tmp` file first and is renamed into place; a failed write removes its
 * `.tmp` file, and `init` removes any left by a crash. A full disk surfaces as StorageFullError.
 */
import {
  stat,
  copyFile,
  link,
  mkdir,
  readdir,
  readFile,
  rename,
  rm,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { CutoutMethod } from './cutouts.ts';
import { isId, type IdKind } from './ids.ts';

export const UPLOAD_FILES = ['original', 'cutout.png', 'mask.png'] as const;
export type UploadFile = (typeof UPLOAD_FILES)[number];
export const JOB_FILES = ['result.png', 'layout.png'] as const;
export type JobFile = (typeof JOB_FILES)[number];
/** What a job reads of an upload: a reference's cutout or a layout image's original. */
export type JobInputFile = 'cutout.png' | 'original';

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
  /** Size of the mask's bounding box in the cutout (what the reference's token grid follows). */
  readonly maskBox?: { readonly width: number; readonly height: number };
  readonly createdAt: string;
}

/** The disk (or quota) is full: nothing was stored. */
export class StorageFullError extends Error {
  override readonly name = 'StorageFullError';
  constructor(
    readonly root: string,
    cause: unknown,
  ) {
    super(
      `the server's storage (${root}) is full (${(cause as NodeJS.ErrnoException).code}); free disk space or point --storage at a larger disk`,
    );
  }
}

const FULL_CODES = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);

/** How files are written; tests replace it to inject failures. */
export type WriteFileFn = (path: string, data: Uint8Array | string) => Promise<void>;

const ORIGINAL_EXT: Record<UploadMeta['format'], string> = {
  png: 'png',
  jpeg: 'jpg',
  webp: 'webp',
};

export class Storage {
  readonly root: string;
  readonly #write: WriteFileFn;

  constructor(root: string, write: WriteFileFn = (p, d) => writeFile(p, d)) {
    this.root = resolve(root);
    this.#write = write;
  }

  /** Creates the folders and removes `.tmp` files a crash left behind (older than 10 minutes). */
  async init(): Promise<void> {
    await mkdir(join(this.root, 'uploads'), { recursive: true });
    await mkdir(join(this.root, 'jobs'), { recursive: true });
    for (const kind of ['uploads', 'jobs']) {
      for (const id of await readdir(join(this.root, kind))) {
        const dir = join(this.root, kind, id);
        const names = await readdir(dir).catch(() => [] as string[]);
        for (const n of names) {
          if (!n.endsWith('.tmp')) continue;
          // Old ones only: another process sharing this folder may be writing a new one.
          const st = await stat(join(dir, n)).catch(() => undefined);
          if (st && Date.now() - st.mtimeMs > STALE_TMP_MS)
            await unlink(join(dir, n)).catch(() => {});
        }
      }
    }
  }

  /** Writes `data` to `path` through a `.tmp` file; removes the `.tmp` file when it fails. */
  async #atomicWrite(path: string, data: Uint8Array | string): Promise<void> {
    const tmp = `${path}.${process.pid}.${tmpCounter++}.tmp`;
    try {
      await this.#write(tmp, data);
      await rename(tmp, path);
    } catch (err) {
      await unlink(tmp).catch(() => {});
      if (FULL_CODES.has((err as NodeJS.ErrnoException).code ?? ''))
        throw new StorageFullError(this.root, err);
      throw err;
    }
  }

  async #mkdir(dir: string): Promise<void> {
    try {
      await mkdir(dir, { recursive: true });
    } catch (err) {
      if (FULL_CODES.has((err as NodeJS.ErrnoException).code ?? ''))
        throw new StorageFullError(this.root, err);
      throw err;
    }
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
    const dir = this.#dir('upl', meta.id);
    try {
      await this.#mkdir(dir);
      await this.#atomicWrite(this.uploadPath(meta.id, 'original', meta), files.original);
      await this.replaceCutout(meta, files.cutout, files.mask);
    } catch (err) {
      await rm(dir, { recursive: true, force: true }).catch(() => {});
      throw err;
    }
  }

  async replaceCutout(meta: UploadMeta, cutout: Uint8Array, mask: Uint8Array): Promise<void> {
    await this.#atomicWrite(this.uploadPath(meta.id, 'cutout.png'), cutout);
    await this.#atomicWrite(this.uploadPath(meta.id, 'mask.png'), mask);
    await this.#atomicWrite(
      join(this.#dir('upl', meta.id), 'meta.json'),
      JSON.stringify(meta, null, 2),
    );
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
    await this.#mkdir(this.#dir('job', id));
    await this.#atomicWrite(this.jobPath(id, file), bytes);
  }

  /**
   * Snapshots the stored files a job reads (an upload's cutout or original) into the job's
   * folder: a hard link (no copy; a later cutout redo renames a new file in and leaves this one),
   * or a copy where links are not possible.
   * @returns the id of an upload that does not exist, or undefined when all were copied
   */
  async snapshotInputs(
    id: string,
    inputs: readonly { upload: string; file: JobInputFile }[],
  ): Promise<string | undefined> {
    const dir = join(this.#dir('job', id), 'inputs');
    await this.#mkdir(dir);
    for (const inp of inputs) {
      const meta = await this.readUploadMeta(inp.upload);
      if (!meta) return inp.upload;
      const from = this.uploadPath(inp.upload, inp.file, meta);
      const to = join(dir, `${this.#checked('upl', inp.upload)}-${inp.file}`);
      try {
        await link(from, to);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') continue;
        if (code === 'ENOENT') return inp.upload;
        try {
          await copyFile(from, to);
        } catch (e) {
          await unlink(to).catch(() => {});
          if (FULL_CODES.has((e as NodeJS.ErrnoException).code ?? ''))
            throw new StorageFullError(this.root, e);
          throw e;
        }
      }
    }
    return undefined;
  }

  /** A job's snapshotted input image. */
  async readJobInput(id: string, upload: string, file: JobInputFile): Promise<Buffer> {
    const path = join(this.#dir('job', id), 'inputs', `${this.#checked('upl', upload)}-${file}`);
    const bytes = await readOptional(path);
    if (!bytes)
      throw new Error(
        `the job's copy of upload ${upload} is missing from ${this.root}; submit the job again`,
      );
    return bytes;
  }

  /** Deletes a job's folder (record, inputs, results). */
  async removeJob(id: string): Promise<void> {
    await rm(this.#dir('job', id), { recursive: true, force: true });
  }

  /** Deletes an upload's folder. */
  async removeUpload(id: string): Promise<void> {
    await rm(this.#dir('upl', id), { recursive: true, force: true });
  }

  /** Ids of every job folder (well-formed names only). */
  async jobIds(): Promise<string[]> {
    return (await readdir(join(this.root, 'jobs'))).filter((n) => isId('job', n));
  }

  /** Ids of every upload folder (well-formed names only). */
  async uploadIds(): Promise<string[]> {
    return (await readdir(join(this.root, 'uploads'))).filter((n) => isId('upl', n));
  }

  #checked(kind: IdKind, id: string): string {
    this.#dir(kind, id);
    return id;
  }

  async readJobFile(id: string, file: JobFile): Promise<Buffer | undefined> {
    return readOptional(this.jobPath(id, file));
  }

  async readJobRecord<T>(id: string): Promise<T | undefined> {
    return readJson<T>(this.jobPath(id, 'job.json'));
  }
}

let tmpCounter = 0;
const STALE_TMP_MS = 10 * 60_000;

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
