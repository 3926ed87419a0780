/** Helpers shared by the server tests (not part of the package's public surface). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { serve, type RunningServer, type ServeInput } from './serve.ts';

export const TINY_MODEL = resolve(
  fileURLToPath(import.meta.url),
  '..',
  '..',
  '..',
  'runtime',
  'test-fixtures',
  'tiny-model',
);

/** A red disc on a white background: the automatic cutout should find the disc. */
export async function discPng(
  width = 64,
  height = 48,
  format: 'png' | 'jpeg' = 'png',
): Promise<Buffer> {
  const r = Math.round(Math.min(width, height) * 0.3);
  const svg = `<svg width="${width}" height="${height}"><circle cx="${width / 2}" cy="${height / 2}" r="${r}" fill="#d02020"/></svg>`;
  const img = sharp({ create: { width, height, channels: 3, background: '#ffffff' } }).composite([
    { input: Buffer.from(svg) },
  ]);
  return format === 'png' ? img.png().toBuffer() : img.jpeg().toBuffer();
}

/** A blue square on a transparent background (the alpha channel is the mask). */
export async function rgbaPng(side = 40): Promise<Buffer> {
  const svg = `<svg width="${side}" height="${side}"><rect x="10" y="10" width="${side - 20}" height="${side - 20}" fill="#2040d0"/></svg>`;
  return sharp({
    create: { width: side, height: side, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } },
  })
    .composite([{ input: Buffer.from(svg) }])
    .png()
    .toBuffer();
}

export function multipart(
  file: Buffer,
  filename: string,
  type: string,
  field = 'file',
): { payload: Buffer; headers: Record<string, string> } {
  const boundary = '----contextgen-test-boundary';
  const payload = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`,
    ),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** A server on the tiny random model in a fresh storage folder; `done()` closes it and removes the folder. */
export async function tinyServer(
  input: Partial<ServeInput> = {},
): Promise<RunningServer & { done(): Promise<void> }> {
  const storageDir = await mkdtemp(join(tmpdir(), 'cg-server-'));
  const server = await serve({
    modelDirs: [TINY_MODEL],
    allowUntrained: true,
    storageDir,
    port: 0,
    webDir: join(storageDir, 'no-web'),
    // Hermetic: matting backends installed on this machine must not change upload results.
    cutout: 'heuristic',
    ...input,
  });
  return Object.assign(server, {
    async done() {
      await server.close();
      await rm(storageDir, { recursive: true, force: true });
    },
  });
}

/** Parses a text/event-stream body into events. */
export function parseSse(body: string): { event: string; data: Record<string, unknown> }[] {
  return body
    .split('\n\n')
    .filter((block) => block.startsWith('event: '))
    .map((block) => {
      const [ev, data] = block.split('\n');
      return { event: ev!.slice(7), data: JSON.parse(data!.slice(6)) as Record<string, unknown> };
    });
}

/** Loosely typed JSON, for reading API answers in tests. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export async function fetchJson(url: string, init?: RequestInit): Promise<Json> {
  return (await fetch(url, init)).json();
}
