/**
 * The emoji atlas: every identity's 64x64 RGBA image plus its metadata in one binary blob, so
 * workers (and the bundled renderer on the GPU machine) never touch node_modules or PNG files.
 *
 * File layout: `IMIGATL1` (8 bytes), u32 LE header length, UTF-8 JSON header
 * `{"size", "identities": [{key, name, category}], "heldout": [keys]}`, then
 * `identities.length * size * size * 4` bytes of straight-alpha RGBA. The file may be
 * gzip- or brotli-compressed as a whole (`.gz` / `.br` suffix).
 */
import type { Identity } from './identities.ts';

export const ATLAS_MAGIC = 'IMIGATL1';

export interface AtlasHeader {
  readonly size: number;
  readonly identities: readonly Pick<Identity, 'key' | 'name' | 'category'>[];
  readonly heldout: readonly string[];
}

export interface Atlas extends AtlasHeader {
  /** Straight-alpha RGBA, identity after identity. May live in a SharedArrayBuffer. */
  readonly pixels: Uint8Array;
}

export function encodeAtlas(atlas: Atlas): Uint8Array {
  const header = new TextEncoder().encode(
    JSON.stringify({ size: atlas.size, identities: atlas.identities, heldout: atlas.heldout }),
  );
  const out = new Uint8Array(12 + header.length + atlas.pixels.length);
  out.set(new TextEncoder().encode(ATLAS_MAGIC), 0);
  new DataView(out.buffer).setUint32(8, header.length, true);
  out.set(header, 12);
  out.set(atlas.pixels, 12 + header.length);
  return out;
}

/** Decode an uncompressed atlas; pixels are copied into `pixelStore` when given (e.g. shared memory). */
export function decodeAtlas(bytes: Uint8Array, pixelStore?: (length: number) => Uint8Array): Atlas {
  const magic = new TextDecoder().decode(bytes.subarray(0, 8));
  if (magic !== ATLAS_MAGIC) {
    throw new Error(
      `not an IMIG-Synth emoji atlas (magic ${JSON.stringify(magic)}); rebuild it with "dataset atlas"`,
    );
  }
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(
    8,
    true,
  );
  const header = JSON.parse(
    new TextDecoder().decode(bytes.subarray(12, 12 + headerLength)),
  ) as AtlasHeader;
  const expected = header.identities.length * header.size * header.size * 4;
  const body = bytes.subarray(12 + headerLength);
  if (body.length !== expected) {
    throw new Error(
      `emoji atlas is truncated: ${body.length} pixel bytes, expected ${expected}; rebuild it`,
    );
  }
  const pixels = pixelStore ? pixelStore(expected) : new Uint8Array(expected);
  pixels.set(body);
  return { ...header, pixels };
}

/** One identity's straight-alpha RGBA (a view, no copy). */
export function atlasImage(atlas: Atlas, index: number): Uint8Array {
  const n = atlas.size * atlas.size * 4;
  return atlas.pixels.subarray(index * n, (index + 1) * n);
}
