/**
 * Issue 13 in a real browser, on the shipped model (models/embedded): a new document gets a
 * canvas from the model's limits with a live token budget; a canvas that cannot hold the
 * references blocks Generate with the reason beside it, and nothing is sent; Width/Height
 * apply once on Enter/blur and a resize is one undo step; below 1210 px wide nothing covers
 * the Upload button; messages leave by themselves and stay off the inspector; a file dropped
 * on the page never navigates it and one dropped on the canvas is uploaded.
 * Needs /usr/bin/chromium (Debian package "chromium") and a built editor (npm run build -w @contextgen/web).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import type { Page } from 'playwright-core';
import { DEFAULT_MODEL, missing, openEditor, references } from './browser.ts';

async function boxRects(page: Page): Promise<string> {
  const rects = await page
    .getByTestId('box')
    .evaluateAll((els) => els.map((e) => e.getAttribute('style') ?? ''));
  return rects.join(' | ');
}

test(
  'editor: model defaults, live token budget, Generate blocked with the reason, size typed once',
  { skip: missing ?? false, timeout: 120_000 },
  async () => {
    const editor = await openEditor(0, { model: DEFAULT_MODEL });
    const { page, pageErrors } = editor;
    const sent: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST') sent.push(new URL(r.url()).pathname);
    });
    try {
      // A new document: the canvas the embedded model's limits give, and its budget.
      assert.equal(await page.getByTestId('width').inputValue(), '208');
      assert.equal(await page.getByTestId('height').inputValue(), '208');
      assert.equal(await page.getByTestId('budget').innerText(), '1,353 / 2,048 tokens');
      await page.getByTestId('upload-input').setInputFiles(await references());
      const assets = page.getByTestId('asset');
      await assets.nth(1).waitFor();
      for (const k of [0, 1]) await assets.nth(k).getByRole('button', { name: 'Place' }).click();
      await page.getByTestId('prompt').fill('a cat and a dog in a meadow');
      const budget = await page.getByTestId('budget').innerText();
      assert.match(budget, /^1,[0-9]{3} \/ 2,048 tokens$/);
      assert.equal(await page.getByTestId('generate').isDisabled(), false);
      const before = await boxRects(page);

      // Typing 2, 24, 248 changes nothing until Enter; then the boxes are mapped once.
      const width = page.getByTestId('width');
      await width.click();
      await width.fill('');
      for (const ch of '248') {
        await width.press(ch);
        assert.equal(await boxRects(page), before, 'no change while typing');
      }
      await width.press('Enter');
      const caption = page.locator('.canvas-caption');
      await caption.filter({ hasText: /^248×208 px/ }).waitFor({ timeout: 5000 });
      await page.getByTestId('height').fill('248'); // the largest side the server publishes
      await page.getByTestId('height').press('Tab'); // leaving the field applies it too
      await caption.filter({ hasText: /^248×248 px/ }).waitFor({ timeout: 5000 });

      // 248x248 with two references is over the 2,048 tokens: blocked, with the reason shown.
      assert.match(await page.getByTestId('budget').innerText(), /^2,[0-9]{3} \/ 2,048 tokens$/);
      assert.match((await page.getByTestId('budget').getAttribute('class')) ?? '', /over/);
      assert.equal(await page.getByTestId('generate').isDisabled(), true);
      const reason = await page.getByTestId('generate-blocked').innerText();
      assert.match(reason, /Too many tokens: 2,[0-9]{3} \/ 2,048 tokens/);
      assert.match(reason, /make the canvas smaller \(\d+×\d+ fits 2 references\)/);
      assert.ok(await page.getByTestId('generate-blocked').isVisible(), 'visible, not a tooltip');
      // Mod+Enter does not send anything either.
      await page.locator('body').click({ position: { x: 2, y: 880 } });
      await page.keyboard.press('Control+Enter');
      await page.waitForTimeout(300);
      assert.deepEqual(
        sent.filter((p) => p === '/api/jobs'),
        [],
        'no job was sent',
      );

      // Each size change is one undo step: two undos give back the layout exactly.
      await page.keyboard.press('Control+z');
      await caption.filter({ hasText: /^248×208 px/ }).waitFor({ timeout: 5000 });
      await page.keyboard.press('Control+z');
      assert.equal(await width.inputValue(), '208');
      assert.equal(await boxRects(page), before, 'boxes exactly where they were');
      assert.equal(await page.getByTestId('generate').isDisabled(), false);
      assert.deepEqual(pageErrors, []);
    } finally {
      await editor.close();
    }
  },
);

test(
  'editor: at 1024 px nothing covers Upload; messages leave and avoid the inspector; dropped files never navigate',
  { skip: missing ?? false, timeout: 120_000 },
  async () => {
    const editor = await openEditor(0, { viewport: { width: 1024, height: 760 } });
    const { page, pageErrors } = editor;
    try {
      const upload = (await page.getByTestId('upload').boundingBox())!;
      // Page code as strings: this file has no DOM types.
      const hit = await page.evaluate<string | undefined>(
        `document.elementFromPoint(${upload.x + upload.width / 2}, ${upload.y + upload.height / 2})?.getAttribute('data-testid')`,
      );
      assert.equal(hit, 'upload', 'the Upload button is on top where it is drawn');
      const overflow = await page.evaluate<number>(
        'document.documentElement.scrollWidth - window.innerWidth',
      );
      assert.ok(overflow <= 0, `no sideways scrolling (${overflow} px too wide)`);
      const canvas = (await page.getByTestId('canvas').boundingBox())!;
      assert.ok(canvas.x > upload.x + upload.width, 'the canvas is right of the library');

      // A file dropped outside any drop target: the page keeps it from navigating.
      const drop = (target: string, files: string) => `(() => {
        const dt = new DataTransfer();
        for (const f of ${files}) dt.items.add(f);
        const ev = new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true });
        document.querySelector('${target}').dispatchEvent(ev);
        return ev.defaultPrevented;
      })()`;
      const text = `new File(['x'], 'notes.txt', { type: 'text/plain' })`;
      const prevented = await page.evaluate<boolean>(drop('.toolbar', `[${text}]`));
      assert.equal(prevented, true);

      // Dropped on the canvas: images are uploaded, anything else is refused with a message.
      const [cat] = await references();
      const b64 = cat!.buffer.toString('base64');
      const png = `new File([Uint8Array.from(atob('${b64}'), (c) => c.charCodeAt(0))], 'dropped-cat.png', { type: 'image/png' })`;
      const dropped = await page.evaluate<boolean>(
        drop('[data-testid=canvas]', `[${png}, ${text}]`),
      );
      assert.equal(dropped, true);
      await page.getByTestId('asset').filter({ hasText: 'dropped-cat.png' }).waitFor();
      assert.equal(new URL(page.url()).pathname, '/');

      // What the server says about an upload stays on its card (here: a plain white image).
      const blank = await sharp({
        create: { width: 40, height: 40, channels: 3, background: '#ffffff' },
      })
        .png()
        .toBuffer();
      await page
        .getByTestId('upload-input')
        .setInputFiles([{ name: 'blank.png', mimeType: 'image/png', buffer: blank }]);
      const card = page.getByTestId('asset').filter({ hasText: 'blank.png' });
      assert.match(await card.getByTestId('asset-warning').innerText(), /^⚠ \S/);
      await card.getByRole('button', { name: '✕' }).click();

      // The message about notes.txt: beside, not over, the inspector; gone after a few seconds.
      const toast = page.locator('.toast', { hasText: 'notes.txt' });
      await toast.waitFor();
      await page
        .getByTestId('asset')
        .filter({ hasText: 'dropped-cat.png' })
        .getByRole('button', { name: 'Place' })
        .click();
      const t = (await toast.boundingBox())!;
      const ins = (await page.getByTestId('inspector').boundingBox())!;
      const overlaps =
        t.x < ins.x + ins.width &&
        t.x + t.width > ins.x &&
        t.y < ins.y + ins.height &&
        t.y + t.height > ins.y;
      assert.equal(overlaps, false, 'the message does not cover the inspector');
      await toast.waitFor({ state: 'detached', timeout: 9000 });
      assert.deepEqual(pageErrors, []);
    } finally {
      await editor.close();
    }
  },
);
