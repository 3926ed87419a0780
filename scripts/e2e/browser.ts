/** Shared by the browser tests: where Chromium and the screenshots are, the references, the launch. */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { DEFAULT_WEB_DIR } from '../../packages/server/src/index.ts';

export const ROOT = resolve(import.meta.dirname, '..', '..');
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
export function launchBrowser(profile: string): Promise<BrowserContext> {
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
    viewport: { width: 1360, height: 900 },
  });
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.evaluate('window.scrollTo(0, 0)'); // page code as a string: this file has no DOM types
  await page.screenshot({ path: join(SHOTS, name), fullPage: true });
}
