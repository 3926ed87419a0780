/**
 * Node-side atlas I/O: build the atlas from the installed `emoji-datasource-google` package
 * (PNG decode with fast-png, pure JS), cache it under `.cache/`, read compressed copies.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  brotliCompressSync,
  brotliDecompressSync,
  constants as zlibConstants,
  gunzipSync,
  gzipSync,
} from 'node:zlib';
import { convertIndexedToRgb, decode as decodePng } from 'fast-png';
import { decodeAtlas, encodeAtlas } from './atlas.ts';
import type { Atlas } from './atlas.ts';
import { selectIdentities } from './identities.ts';
import type { EmojiEntry } from './identities.ts';
import heldoutFile from '../heldout.json' with { type: 'json' };

export const ATLAS_SIZE = 64;

/** Repository root (three levels above this file: packages/dataset/src). */
export function repoRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
}

export function defaultAtlasPath(): string {
  return join(repoRoot(), '.cache', `imig-atlas-${ATLAS_SIZE}.bin`);
}

/** Decode one emoji PNG to straight-alpha RGBA8 of the atlas size. */
function decodeEmojiPng(file: string): Uint8Array {
  const png = decodePng(readFileSync(file));
  if (png.width !== ATLAS_SIZE || png.height !== ATLAS_SIZE || png.depth !== 8) {
    throw new Error(
      `${file}: expected a ${ATLAS_SIZE}x${ATLAS_SIZE} 8-bit PNG, got ${png.width}x${png.height} depth ${png.depth}`,
    );
  }
  const indexed = png.palette !== undefined;
  const src = indexed ? convertIndexedToRgb(png) : png.data;
  const channels = indexed ? src.length / (ATLAS_SIZE * ATLAS_SIZE) : png.channels;
  const out = new Uint8Array(ATLAS_SIZE * ATLAS_SIZE * 4);
  for (let i = 0; i < ATLAS_SIZE * ATLAS_SIZE; i++) {
    if (channels === 4) {
      out.set(src.subarray(i * 4, i * 4 + 4) as Uint8Array, i * 4);
    } else if (channels === 3) {
      out[i * 4] = src[i * 3]!;
      out[i * 4 + 1] = src[i * 3 + 1]!;
      out[i * 4 + 2] = src[i * 3 + 2]!;
      out[i * 4 + 3] = 255;
    } else if (channels === 2) {
      out[i * 4] = out[i * 4 + 1] = out[i * 4 + 2] = src[i * 2]!;
      out[i * 4 + 3] = src[i * 2 + 1]!;
    } else if (channels === 1) {
      out[i * 4] = out[i * 4 + 1] = out[i * 4 + 2] = src[i]!;
      out[i * 4 + 3] = 255;
    } else {
      throw new Error(`${file}: unsupported PNG channel count ${channels}`);
    }
  }
  return out;
}

/** Build the atlas from the installed emoji package. */
export function buildAtlasFromPackage(): Atlas {
  const require = createRequire(import.meta.url);
  const jsonPath = require.resolve('emoji-datasource-google/emoji.json');
  const imageDir = join(dirname(jsonPath), 'img', 'google', String(ATLAS_SIZE));
  const entries = JSON.parse(readFileSync(jsonPath, 'utf8')) as EmojiEntry[];
  const identities = selectIdentities(entries);
  const n = ATLAS_SIZE * ATLAS_SIZE * 4;
  const pixels = new Uint8Array(identities.length * n);
  identities.forEach((identity, i) =>
    pixels.set(decodeEmojiPng(join(imageDir, identity.image)), i * n),
  );
  return {
    size: ATLAS_SIZE,
    identities: identities.map(({ key, name, category }) => ({ key, name, category })),
    heldout: heldoutFile.heldout,
    pixels,
  };
}

function decompressByName(path: string, bytes: Uint8Array): Uint8Array {
  if (path.endsWith('.gz')) return gunzipSync(bytes);
  if (path.endsWith('.br')) return brotliDecompressSync(bytes);
  return bytes;
}

export function compressByName(path: string, bytes: Uint8Array): Uint8Array {
  if (path.endsWith('.gz')) return gzipSync(bytes, { level: 9 });
  if (path.endsWith('.br')) {
    return brotliCompressSync(bytes, {
      params: {
        [zlibConstants.BROTLI_PARAM_QUALITY]: 11,
        [zlibConstants.BROTLI_PARAM_LGWIN]: 24,
        [zlibConstants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
      },
    });
  }
  return bytes;
}

/** Write an atlas file (compressed by its suffix), atomically. */
export function writeAtlasFile(path: string, atlas: Atlas): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, compressByName(path, encodeAtlas(atlas)));
  renameSync(tmp, path);
}

/**
 * Read the atlas at `path`; when `path` is the default cache and it is missing, build it from
 * the emoji package first. Pixels go into shared memory so workers can use them without copies.
 */
export function loadAtlas(path: string = defaultAtlasPath()): Atlas {
  if (!existsSync(path)) {
    if (resolve(path) !== resolve(defaultAtlasPath())) {
      throw new Error(
        `emoji atlas not found at ${path}; pass --atlas with an existing file or omit it to build the cache`,
      );
    }
    writeAtlasFile(path, buildAtlasFromPackage());
  }
  const bytes = decompressByName(path, readFileSync(path));
  return decodeAtlas(bytes, (length) => new Uint8Array(new SharedArrayBuffer(length)));
}
