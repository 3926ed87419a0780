/** Shared by the browser tests: where Chromium and the screenshots are, the references, the launch. */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { DEFAULT_WEB_DIR, serve } from '../../packages/server/src/index.ts';
import { TINY_MODEL } from '../../packages/server/src/test-util.ts';

export const ROOT = resolve(import.meta.dirname, '..', '..');
/** The model `contextgen serve` uses by default (the README's screenshots show it). */
export const DEFAULT_MODEL = join(ROOT, 'models', 'embedded');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SHOTS = resolve(ROOT, process.env.SCREENSHOTS_DIR ?? join('out', 'screenshots'));
const EMOJI = join(ROOT, 'node_modules', 'emoji-datasource-google', 'img', 'google', '64');

/** Why the browser tests cannot run here, or undefined when they can. */
export const missing = !existsSync(CHROMIUM)
  ? `${CHROMIUM} not found (apt-get install -y chromium)`
  : !existsSync(join(DEFAULT_WEB_DIR, 'index.html'))
    ? 'the editor is not built (npm run build -w @contextgen/web)'
    : undefined;

export interface PickedFile {
  name: string;
  mimeType: string;
  buffer: Buffer;
}

/** A cat emoji with its alpha (mask from alpha) and a dog emoji flattened on a grey backdrop as JPEG (automatic cutout). */
export async function references(): Promise<PickedFile[]> {
  const cat = await sharp(join(EMOJI, '1f431.png')).resize(160, 160).png().toBuffer();
  const dog = await sharp(join(EMOJI, '1f436.png'))
    .resize(150, 150)
    .extend({ top: 25, bottom: 25, left: 45, right: 45, background: '#e8e8e4' })
    .flatten({ background: '#e8e8e4' })
    .jpeg({ quality: 92 })
    .toBuffer();
  return [
    { name: 'cat.png', mimeType: 'image/png', buffer: cat },
    { name: 'dog-photo.jpg', mimeType: 'image/jpeg', buffer: dog },
  ];
}

/** Headless Debian Chromium with a throwaway profile directory. */
export function launchBrowser(
  profile: string,
  viewport = { width: 1360, height: 900 },
): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    acceptDownloads: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport,
  });
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.evaluate('window.scrollTo(0, 0)'); // page code as a string: this file has no DOM types
  await page.screenshot({ path: join(SHOTS, name), fullPage: true });
}

export interface EditorSession {
  readonly server: Awaited<ReturnType<typeof serve>>;
  readonly page: Page;
  readonly context: BrowserContext;
  /** Uncaught errors of the page, collected from the start. */
  readonly pageErrors: string[];
  /** Closes the browser and the server and deletes their folders. */
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Model folder; the tiny fixture model (--allow-untrained) by default. */
  readonly model?: string;
  readonly viewport?: { width: number; height: number };
}

/**
 * The editor served from a fresh storage folder (with the tiny fixture model unless `model`
 * says otherwise), open in Chromium with a fresh profile, connected to its model (the
 * untrained banner shown for the fixture model).
 */
export async function openEditor(
  stepDelayMs: number,
  opts: OpenOptions = {},
): Promise<EditorSession> {
  await mkdir(SHOTS, { recursive: true });
  const storageDir = await mkdtemp(join(tmpdir(), 'cg-e2e-'));
  const profile = await mkdtemp(join(tmpdir(), 'cg-chromium-'));
  const server = await serve({
    modelDirs: [opts.model ?? TINY_MODEL],
    allowUntrained: opts.model === undefined,
    storageDir,
    port: 0,
    stepDelayMs,
  });
  const context = await launchBrowser(profile, opts.viewport);
  const close = async (): Promise<void> => {
    await context.close();
    await server.close();
    await rm(storageDir, { recursive: true, force: true });
    await rm(profile, { recursive: true, force: true });
  };
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(server.url!);
    await page.getByTestId('budget').waitFor();
    if (opts.model === undefined) await page.getByTestId('untrained-banner').waitFor();
    return { server, page, context, pageErrors, close };
  } catch (err) {
    await close();
    throw err;
  }
}
