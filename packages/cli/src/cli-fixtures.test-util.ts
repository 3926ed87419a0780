/**
 * Files for the CLI tests: small references, bad images and request files in a temp folder;
 * and the bin run as a child process.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { writePng } from '@contextgen/imaging';
import type { RgbaImage } from '@contextgen/core';

export const CLI_PKG = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BIN = join(CLI_PKG, 'bin', 'contextgen.mjs');
export const TINY_MODEL = join(CLI_PKG, '..', 'runtime', 'test-fixtures', 'tiny-model');

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `contextgen ARGS` as a child process with `env` added; its exit code and output. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      // debug tokens prints dense N x N masks: with FLUX's 512 text tokens that is over 1 MB.
      { env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? ((err as { code?: number }).code ?? 1) : 0;
        done({ code: typeof code === 'number' ? code : 1, stdout, stderr });
      },
    );
  });
}

function disc(size: number, alpha: boolean): RgbaImage {
  const data = new Uint8ClampedArray(size * size * 4);
  for (let i = 0; i < size * size; i++) {
    const x = i % size;
    const y = Math.floor(i / size);
    const inside = (x - size / 2 + 0.5) ** 2 + (y - size / 2 + 0.5) ** 2 < (size * 0.35) ** 2;
    data.set(inside ? [200, 50, 40, 255] : alpha ? [0, 0, 0, 0] : [245, 245, 240, 255], i * 4);
  }
  return { width: size, height: size, data };
}

function chunk(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])) >>> 0, 0);
  return Buffer.concat([head, body, crc]);
}

/** A tiny PNG file whose header claims `w x h` pixels (a decompression-bomb stand-in). */
export function pngClaiming(w: number, h: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(64))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export interface Fixtures {
  readonly dir: string;
  /** Write `name.json` with the base 32x32 request merged with `patch`; returns its path. */
  request(name: string, patch?: Record<string, unknown>): Promise<string>;
}

export async function makeFixtures(): Promise<Fixtures> {
  const dir = await mkdtemp(join(tmpdir(), 'cg-cli-'));
  await writePng(join(dir, 'alpha.png'), disc(24, true));
  await sharp(Buffer.from(disc(24, false).data), { raw: { width: 24, height: 24, channels: 4 } })
    .removeAlpha()
    .png()
    .toFile(join(dir, 'plain.png'));
  const clear = disc(16, true);
  await writePng(join(dir, 'transparent.png'), {
    ...clear,
    data: clear.data.map((v, i) => (i % 4 === 3 ? 0 : v)),
  });
  await sharp(Buffer.from(disc(16, true).data), { raw: { width: 16, height: 16, channels: 4 } })
    .gif()
    .toFile(join(dir, 'anim.gif'));
  await writeFile(join(dir, 'huge.png'), pngClaiming(8000, 6000));
  await writeFile(join(dir, 'broken.json'), '{ "width": 32, ');
  const base = {
    width: 32,
    height: 32,
    prompt: 'a cat and a dog on a meadow',
    seed: 5,
    steps: 2,
    instances: [
      { box: [0, 0, 16, 24], reference: 'alpha.png', phrase: 'cat' },
      { box: [12, 8, 32, 32], reference: 'plain.png', phrase: 'dog' },
    ],
  };
  return {
    dir,
    async request(name, patch = {}) {
      const path = join(dir, `${name}.json`);
      await writeFile(path, JSON.stringify({ ...base, ...patch }));
      return path;
    },
  };
}
