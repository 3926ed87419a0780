/**
 * Issue 13 in a real browser, boxes and keyboard: clicking a box leaves the text field so
 * Delete, Backspace and the arrows act on the box; Upload, Open and Import are reached with
 * Tab (and Upload opens the file chooser from the keyboard); Escape closes the Shortcuts
 * panel; typed coordinates and Duplicate keep boxes valid; Place cascades; a text-only box is
 * sent as an instance without a reference; the layer list reorders; the selected box's
 * handles lie above other boxes; a failed job names the box, not `instances[1]`.
 * Needs /usr/bin/chromium (Debian package "chromium") and a built editor (npm run build -w @contextgen/web).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { missing, openEditor, references } from './browser.ts';

interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

async function rectOf(page: Page, id: string): Promise<Rect> {
  return (await page.locator(`[data-testid=box][data-id="${id}"]`).boundingBox())!;
}

async function boxIds(page: Page): Promise<string[]> {
  return page
    .getByTestId('box')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-id') ?? ''));
}

async function coords(page: Page): Promise<number[]> {
  return Promise.all(
    ['x1', 'y1', 'x2', 'y2'].map(async (k) =>
      Number(await page.getByTestId(`coord-${k}`).inputValue()),
    ),
  );
}

// Page code as strings: these files have no DOM types.
const activeTestId = (page: Page) =>
  page.evaluate<string>("document.activeElement?.getAttribute('data-testid') ?? ''");

/** Two references uploaded and placed (cat first, then the dog on top). */
async function placeTwo(page: Page): Promise<{ cat: string; dog: string }> {
  await page.getByTestId('upload-input').setInputFiles(await references());
  const assets = page.getByTestId('asset');
  await assets.nth(1).waitFor();
  await assets.filter({ hasText: 'cat.png' }).getByRole('button', { name: 'Place' }).click();
  await assets.filter({ hasText: 'dog-photo' }).getByRole('button', { name: 'Place' }).click();
  const [cat, dog] = await boxIds(page);
  return { cat: cat!, dog: dog! };
}

test(
  'editor: focus leaves text on a box click; keyboard reaches the file buttons; Escape closes Shortcuts',
  { skip: missing ?? false, timeout: 120_000 },
  async () => {
    const editor = await openEditor(0);
    const { page, pageErrors } = editor;
    try {
      // Tab from the top of the page reaches Open, Import and Upload. (The file chooser is
      // intercepted from the start, so Enter on Upload below cannot race its set-up.)
      const chooser = page.waitForEvent('filechooser', { timeout: 15_000 });
      const reached = new Set<string>();
      await page.locator('body').click({ position: { x: 2, y: 2 } });
      for (let k = 0; k < 40 && reached.size < 3; k++) {
        await page.keyboard.press('Tab');
        const id = await activeTestId(page);
        if (['open', 'import', 'upload'].includes(id)) reached.add(id);
      }
      assert.deepEqual([...reached].sort(), ['import', 'open', 'upload']);
      assert.equal(await activeTestId(page), 'upload');
      await page.keyboard.press('Enter');
      assert.equal((await chooser).isMultiple(), true, 'Enter on Upload opens the file chooser');

      // Escape closes the Shortcuts panel and gives focus back to its button.
      await page.getByTestId('shortcuts-button').click();
      await page.getByTestId('shortcuts').waitFor();
      await page.keyboard.press('Escape');
      await page.getByTestId('shortcuts').waitFor({ state: 'detached' });
      assert.equal(await activeTestId(page), 'shortcuts-button');

      // Cascade: two Place clicks land on two spots.
      const { cat, dog } = await placeTwo(page);
      const [rc, rd] = [await rectOf(page, cat), await rectOf(page, dog)];
      assert.ok(Math.abs(rc.x - rd.x) > 20 || Math.abs(rc.y - rd.y) > 20, 'not on the same spot');

      // The phrase field has focus; clicking the cat's box leaves it.
      await page.getByTestId('phrase').fill('a small brown dog');
      assert.equal(await activeTestId(page), 'phrase');
      await page.mouse.click(rc.x + 4, rc.y + 4); // the cat's corner, outside the dog
      assert.notEqual(await activeTestId(page), 'phrase');
      assert.equal(await page.getByTestId('phrase').inputValue(), 'cat');

      // Arrows move the selected box by one grid cell; Backspace deletes it, not text.
      const before = await coords(page);
      await page.keyboard.press('ArrowRight');
      const after = await coords(page);
      assert.equal(after[0]! - before[0]!, 8, 'moved right by the 8 px grid');
      await page.keyboard.press('Backspace');
      assert.deepEqual(await boxIds(page), [dog]);
      await page.keyboard.press('Control+z');
      assert.equal((await boxIds(page)).length, 2);
      // Delete works the same after clicking the dog's box.
      const rd2 = await rectOf(page, dog);
      await page.mouse.click(rd2.x + rd2.width - 4, rd2.y + rd2.height - 4);
      assert.equal(await page.getByTestId('phrase').inputValue(), 'a small brown dog');
      await page.keyboard.press('Delete');
      assert.deepEqual(await boxIds(page), [cat]);
      assert.deepEqual(pageErrors, []);
    } finally {
      await editor.close();
    }
  },
);

test(
  'editor: typed coordinates and Duplicate keep boxes valid; layers reorder; handles on top; text-only boxes',
  { skip: missing ?? false, timeout: 120_000 },
  async () => {
    const editor = await openEditor(0);
    const { page, pageErrors } = editor;
    try {
      const { cat, dog } = await placeTwo(page);
      const canvas = (await page.getByTestId('canvas').boundingBox())!;
      const side = Number(await page.getByTestId('width').inputValue());
      const inside = (r: Rect) =>
        r.x >= canvas.x - 1 &&
        r.y >= canvas.y - 1 &&
        r.x + r.width <= canvas.x + canvas.width + 1 &&
        r.y + r.height <= canvas.y + canvas.height + 1 &&
        r.width > 0 &&
        r.height > 0;

      // The layer list shows the top box first; ↓ sends the dog behind the cat.
      const layers = page.getByTestId('layer');
      assert.deepEqual(
        await layers.evaluateAll((els) => els.map((e) => e.getAttribute('data-id'))),
        [dog, cat],
      );
      // The cat is under the dog; select it from the list: its handles are drawn above the dog.
      await layers.filter({ hasText: 'cat' }).getByRole('button', { name: /cat/ }).first().click();
      const se = page.locator('[data-testid=handles] [data-handle=se]');
      const h = (await se.boundingBox())!;
      const dogBefore = await rectOf(page, dog);
      const catBefore = await rectOf(page, cat);
      const onTop = await page.evaluate<string | undefined>(
        `document.elementFromPoint(${h.x + h.width / 2}, ${h.y + h.height / 2})?.getAttribute('data-handle')`,
      );
      assert.equal(onTop, 'se', 'the handle, not the dog box, is under the pointer');
      await page.mouse.move(h.x + h.width / 2, h.y + h.height / 2);
      await page.mouse.down();
      await page.mouse.move(h.x - 40, h.y - 40, { steps: 6 });
      await page.mouse.up();
      const catAfter = await rectOf(page, cat);
      assert.ok(catAfter.width < catBefore.width - 20, 'the selected (cat) box shrank');
      assert.deepEqual(await rectOf(page, dog), dogBefore, 'the dog box did not move');
      await layers
        .first()
        .getByRole('button', { name: /backward/ })
        .click();
      assert.deepEqual(
        await layers.evaluateAll((els) => els.map((e) => e.getAttribute('data-id'))),
        [cat, dog],
      );

      // Typed coordinates: x2 below x1 and x1 below 0 still give a valid box.
      await layers.filter({ hasText: 'cat' }).getByRole('button', { name: /cat/ }).first().click();
      const [x1] = await coords(page);
      await page.getByTestId('coord-x2').fill('2');
      await page.getByTestId('coord-x2').press('Enter');
      assert.deepEqual(
        (await coords(page)).filter((_, k) => k % 2 === 0),
        [x1!, x1! + 4],
      );
      await page.getByTestId('coord-x1').fill('-50');
      await page.getByTestId('coord-x1').press('Tab');
      assert.equal((await coords(page))[0], 0);
      await page.getByTestId('coord-y2').fill('9999');
      await page.getByTestId('coord-y2').press('Enter');
      assert.equal((await coords(page))[3], side, 'y2 stops at the canvas edge');
      assert.ok(inside(await rectOf(page, cat)));

      // Duplicate from the bottom-right corner: every copy on the canvas, on its own spot.
      await page.getByTestId('coord-x1').fill(String(side - 20));
      await page.getByTestId('coord-x1').press('Enter');
      await page.getByTestId('coord-y1').fill(String(side - 20));
      await page.getByTestId('coord-y1').press('Enter');
      await page.locator('body').click({ position: { x: 2, y: 880 } }); // leave the field
      await layers.filter({ hasText: 'cat' }).getByRole('button', { name: /cat/ }).first().click();
      for (let k = 0; k < 3; k++) await page.keyboard.press('Control+d');
      const rects = await Promise.all((await boxIds(page)).map((id) => rectOf(page, id)));
      assert.equal(rects.length, 5);
      for (const r of rects) assert.ok(inside(r), `box inside the canvas: ${JSON.stringify(r)}`);
      const spots = new Set(rects.slice(1).map((r) => `${Math.round(r.x)},${Math.round(r.y)}`));
      assert.equal(spots.size, 4, 'copies do not land on each other');
      // 5 boxes on a model that takes 4: Generate is off and says why, beside the button.
      assert.equal(await page.getByTestId('generate').isDisabled(), true);
      assert.match(
        await page.getByTestId('generate-blocked').innerText(),
        /5 boxes; this model takes at most 4: remove 1/,
      );
      for (let k = 0; k < 3; k++) await page.keyboard.press('Control+z');
      assert.equal((await boxIds(page)).length, 2);

      // A text-only box: no reference, its phrase is sent.
      await page.getByTestId('add-text-box').click();
      assert.match(await layers.first().innerText(), /text only/);
      await page.getByTestId('phrase').fill('a red ball');
      const created = page.waitForResponse(
        (r) => r.url().endsWith('/api/jobs') && r.request().method() === 'POST',
      );
      await page.getByTestId('generate').click();
      const sent = (await created).request().postDataJSON();
      const textOnly = sent.instances.filter((i: { reference?: string }) => !i.reference);
      assert.deepEqual(
        textOnly.map((i: { phrase?: string }) => i.phrase),
        ['a red ball'],
      );
      await page.getByTestId('result-image').waitFor();
      assert.deepEqual(pageErrors, []);
    } finally {
      await editor.close();
    }
  },
);

test(
  'editor: a job error names the box the user sees',
  { skip: missing ?? false, timeout: 120_000 },
  async () => {
    const editor = await openEditor(0);
    const { page, pageErrors } = editor;
    try {
      await placeTwo(page);
      await page.getByTestId('phrase').fill('a small brown dog');
      // The server blames the second instance (as it would for a bad box or reference).
      await page.route('**/api/jobs', (route) =>
        route.request().method() === 'POST'
          ? route.fulfill({
              status: 400,
              contentType: 'application/json',
              body: JSON.stringify({
                error: {
                  code: 'invalid_request',
                  message: 'instances[1].box: [0, 0, 0, 0] is empty',
                  field: 'instances[1].box',
                },
              }),
            })
          : route.continue(),
      );
      await page.getByTestId('generate').click();
      const error = await page.getByTestId('error').innerText();
      assert.match(error, /the box “a small brown dog” \(instances\[1\]\.box\)/);
      assert.deepEqual(pageErrors, []);
    } finally {
      await editor.close();
    }
  },
);
