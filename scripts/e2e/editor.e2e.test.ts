/**
 * End to end, in a real browser: the server with the default model (models/embedded, as
 * `contextgen serve` uses) serves the built editor; we upload two references, place them on
 * the canvas the model's limits give, generate, see the result with its seed, reload the page
 * and restore from history. Screenshots of the main screens go to out/screenshots/ (ignored),
 * or to SCREENSHOTS_DIR: `SCREENSHOTS_DIR=docs/screenshots` refreshes the committed ones.
 * Needs /usr/bin/chromium (Debian package "chromium") and a built editor (npm run build -w @contextgen/web).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fetchJson } from '../../packages/server/src/test-util.ts';
import { DEFAULT_MODEL, missing, openEditor, references, shot, SHOTS } from './browser.ts';

test(
  'editor: upload, place, generate with progress, result with seed, reload and restore',
  { skip: missing ?? false, timeout: 300_000 },
  async () => {
    const editor = await openEditor(250, { model: DEFAULT_MODEL });
    const { server, page, pageErrors } = editor;
    try {
      assert.equal(await page.getByTestId('untrained-banner').count(), 0, 'a trained model');
      assert.match(await page.locator('.model').innerText(), /embedded/);
      await shot(page, '01-start.png');

      // Upload two references at once; both are cut out.
      await page.getByTestId('upload-input').setInputFiles(await references());
      await page.getByTestId('asset').nth(1).waitFor();
      // The uploads finish in either order, so each asset is found by its name.
      const asset = (name: string) => page.getByTestId('asset').filter({ hasText: name });
      assert.match(await asset('cat.png').innerText(), /mask: (alpha|auto cutout)/);
      assert.match(await asset('dog-photo.jpg').innerText(), /mask: auto cutout/);

      // Place both (the cat, then the dog), then drag the dog's box to the right.
      for (const name of ['cat.png', 'dog-photo.jpg'])
        await asset(name).getByRole('button', { name: 'Place' }).click();
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
      assert.equal(record.model, 'embedded-pixel-s');
      assert.equal(await page.getByTestId('untrained-warning').count(), 0);
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
      await editor.close();
    }
  },
);
