/**
 * End to end, in a real browser: the server (tiny random model, --allow-untrained) serves the
 * built editor; we upload two references, place them, generate, see the result with its seed
 * and the untrained warning, reload the page and restore from history. Screenshots of the main
 * screens go to out/screenshots/ (ignored), or to SCREENSHOTS_DIR: `SCREENSHOTS_DIR=docs/screenshots`
 * refreshes the committed ones.
 * Needs /usr/bin/chromium (Debian package "chromium") and a built editor (npm run build -w @contextgen/web).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { chromium, type Page } from 'playwright-core';
import { serve, DEFAULT_WEB_DIR } from '../../packages/server/src/index.ts';
import { fetchJson, TINY_MODEL } from '../../packages/server/src/test-util.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = resolve(ROOT, process.env.SCREENSHOTS_DIR ?? join('out', 'screenshots'));
const EMOJI = join(ROOT, 'node_modules', 'emoji-datasource-google', 'img', 'google', '64');

const missing = !existsSync(CHROMIUM)
  ? `${CHROMIUM} not found (apt-get install -y chromium)`
  : !existsSync(join(DEFAULT_WEB_DIR, 'index.html'))
    ? 'the editor is not built (npm run build -w @contextgen/web)'
    : undefined;

/** A cat emoji with its alpha (mask from alpha) and a dog emoji flattened on a grey backdrop as JPEG (automatic cutout). */
async function references(): Promise<{ name: string; mimeType: string; buffer: Buffer }[]> {
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

async function shot(page: Page, name: string): Promise<void> {
  await page.evaluate('window.scrollTo(0, 0)'); // page code as a string: this file has no DOM types
  await page.screenshot({ path: join(SHOTS, name), fullPage: true });
}

test(
  'editor: upload, place, generate with progress, result with seed, reload and restore',
  { skip: missing ?? false, timeout: 180_000 },
  async () => {
    await mkdir(SHOTS, { recursive: true });
    const storageDir = await mkdtemp(join(tmpdir(), 'cg-e2e-'));
    const profile = await mkdtemp(join(tmpdir(), 'cg-chromium-'));
    const server = await serve({
      modelDirs: [TINY_MODEL],
      allowUntrained: true,
      storageDir,
      port: 0,
      stepDelayMs: 250,
    });
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
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
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      const pageErrors: string[] = [];
      page.on('pageerror', (e) => pageErrors.push(e.message));
      await page.goto(server.url!);
      await page.getByTestId('untrained-banner').waitFor();
      assert.match(await page.getByTestId('untrained-banner').innerText(), /untrained/i);
      await shot(page, '01-start.png');

      // Upload two references at once; both are cut out.
      await page.getByTestId('upload-input').setInputFiles(await references());
      await page.getByTestId('asset').nth(1).waitFor();
      assert.match(await page.getByTestId('asset').nth(0).innerText(), /mask: (alpha|auto cutout)/);
      assert.match(await page.getByTestId('asset').nth(1).innerText(), /mask: auto cutout/);

      // Place both, then drag the second box to the right.
      for (const k of [0, 1])
        await page.getByTestId('asset').nth(k).getByRole('button', { name: 'Place' }).click();
      const boxes = page.getByTestId('box');
      assert.equal(await boxes.count(), 2);
      const before = (await boxes.nth(1).boundingBox())!;
      await page.mouse.move(before.x + before.width / 2, before.y + before.height / 2);
      await page.mouse.down();
      await page.mouse.move(before.x + before.width / 2 + 140, before.y + before.height / 2 + 60, {
        steps: 8,
      });
      await page.mouse.up();
      const after = (await boxes.nth(1).boundingBox())!;
      assert.ok(after.x > before.x + 100, `box moved right (${before.x} -> ${after.x})`);
      await page.getByTestId('phrase').fill('a small brown dog');
      await boxes.nth(0).click({ position: { x: 5, y: 5 } });
      await page.getByTestId('phrase').fill('a ginger cat');
      await page.getByTestId('prompt').fill('a cat and a dog in a meadow');
      await shot(page, '02-placed.png');

      // The layout image the model will see.
      await page.getByTestId('toggle-layout').click();
      await page.getByTestId('layout-preview').waitFor();
      await shot(page, '03-layout.png');
      await page.getByTestId('toggle-layout').click();

      // Generate: progress with previews, then the result with its seed.
      const created = page.waitForResponse(
        (r) => r.url().endsWith('/api/jobs') && r.request().method() === 'POST',
      );
      await page.getByTestId('generate').click();
      const job = await (await created).json();
      await page.getByTestId('preview').waitFor();
      assert.match(await page.getByTestId('status').innerText(), /Step \d+ of \d+/);
      await shot(page, '04-progress.png');
      await page.getByTestId('result-image').waitFor();
      await page.waitForFunction(
        "(document.querySelector('[data-testid=result-image]')?.naturalWidth ?? 0) > 0",
      );
      const record = await fetchJson(`${server.url}/api/jobs/${job.id}`);
      assert.equal(record.status, 'succeeded');
      assert.equal(await page.getByTestId('result-seed').innerText(), `Seed ${record.result.seed}`);
      assert.match(await page.getByTestId('untrained-warning').innerText(), /Untrained model/);
      await shot(page, '05-result.png');

      // Change things, reload: the history survives; restore brings the settings and seed back.
      await page.getByTestId('prompt').fill('something else entirely');
      await page.waitForTimeout(300); // autosave debounce
      await page.reload();
      await page.getByTestId('history-item').first().waitFor();
      assert.equal(await page.getByTestId('prompt').inputValue(), 'something else entirely');
      await page.getByTestId('restore').first().click();
      assert.equal(await page.getByTestId('prompt').inputValue(), 'a cat and a dog in a meadow');
      assert.equal(await page.getByTestId('seed').inputValue(), String(record.result.seed));
      assert.equal(await page.getByTestId('box').count(), 2);
      await page.getByTestId('result-image').waitFor();
      await shot(page, '06-restored.png');

      // Undo the restore with the keyboard.
      await page.locator('body').click({ position: { x: 5, y: 880 } });
      await page.keyboard.press('Control+z');
      assert.equal(await page.getByTestId('prompt').inputValue(), 'something else entirely');
      assert.deepEqual(pageErrors, []);
      for (const f of ['01-start.png', '05-result.png'])
        assert.ok((await readFile(join(SHOTS, f))).length > 1000);
    } finally {
      await context.close();
      await server.close();
      await rm(storageDir, { recursive: true, force: true });
      await rm(profile, { recursive: true, force: true });
    }
  },
);
