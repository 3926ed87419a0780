/**
 * End to end, in a real browser: the editor's file buttons and the cutout redo.
 * Upload two references and place them; "Redo cutout" → "Whole image" reaches the server and
 * the mask shown updates; Save downloads a project holding the boxes, phrases and inlined
 * images; after clearing the document, Open (file chooser) brings it all back; Import
 * segment_info in the official format (a JSON list of examples, with its PNGs) asks which
 * example and before replacing the library, scales the boxes from the example's frame to the
 * canvas, keeps alpha >= 0.5 as the subject, is one undo step, and generating uploads the
 * references (the library then shows the server's cutouts).
 * Needs /usr/bin/chromium (Debian package "chromium") and a built editor (npm run build -w @contextgen/web).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Locator, Page } from 'playwright-core';
import { fetchJson } from '../../packages/server/src/test-util.ts';
import { loadProject } from '../../packages/editor/src/index.ts';
import { missing, openEditor, references, shot } from './browser.ts';

/** The smallest value over all channels of an image (255: all white). */
async function minValue(image: Buffer): Promise<number> {
  const { channels } = await sharp(image).stats();
  return Math.min(...channels.map((c) => c.min));
}

function dataUrlBytes(src: string): Buffer {
  return Buffer.from(src.slice(src.indexOf(',') + 1), 'base64');
}

/** Picks files through the chooser a toolbar button opens. */
async function pick(page: Page, button: Locator, files: string[]): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await button.click();
  await (await chooser).setFiles(files);
}

async function labels(page: Page): Promise<string[]> {
  return page.locator('[data-testid=box] .box-label').allInnerTexts();
}

test(
  'editor: redo cutout, save, open and import segment_info in the browser',
  { skip: missing ?? false, timeout: 120_000 },
  async () => {
    const work = await mkdtemp(join(tmpdir(), 'cg-e2e-files-'));
    const editor = await openEditor(0);
    const { server, page, pageErrors } = editor;
    try {
      await page.getByTestId('upload-input').setInputFiles(await references());
      const assets = page.getByTestId('asset');
      await assets.nth(1).waitFor();
      // A placed box is selected, so its phrase is the one the inspector edits.
      // (The two uploads finish in either order, so assets are found by name.)
      for (const [name, phrase] of [
        ['cat.png', 'a ginger cat'],
        ['dog-photo.jpg', 'a small brown dog'],
      ] as const) {
        await assets.filter({ hasText: name }).getByRole('button', { name: 'Place' }).click();
        await page.getByTestId('phrase').fill(phrase);
      }
      const boxes = page.getByTestId('box');
      await page.getByTestId('prompt').fill('a cat and a dog in a meadow');

      // Redo the dog's cutout as "whole image": the server answers and the mask shown changes.
      const dog = assets.filter({ hasText: 'dog-photo.jpg' });
      assert.match(await dog.innerText(), /mask: auto cutout/);
      await dog.getByRole('button', { name: 'Mask' }).click();
      const maskImg = dog.locator('img');
      const maskBefore = (await maskImg.getAttribute('src'))!;
      assert.match(maskBefore, /\/api\/uploads\/[^/]+\/mask\.png$/);
      const autoMask = await (await fetch(server.url + maskBefore)).arrayBuffer();
      assert.ok(
        (await minValue(Buffer.from(autoMask))) < 255,
        'the automatic mask leaves out the backdrop',
      );
      await dog.getByRole('button', { name: 'Redo cutout' }).click();
      const redone = page.waitForResponse(
        (r) => /\/api\/uploads\/[^/]+\/cutout$/.test(r.url()) && r.request().method() === 'POST',
      );
      await dog.getByRole('button', { name: 'Whole image' }).click();
      const response = await redone;
      assert.equal(response.status(), 200);
      assert.equal((await response.json()).maskSource, 'none');
      await page.waitForFunction(
        `[...document.querySelectorAll('[data-testid=asset]')].some((a) => /mask: whole image/.test(a.innerText))`,
      );
      const maskAfter = (await maskImg.getAttribute('src'))!;
      assert.notEqual(maskAfter, maskBefore, 'a new mask URL, so every view reloads it');
      assert.ok(maskAfter.startsWith(maskBefore + '?v='));
      await page.waitForFunction(
        `[...document.querySelectorAll('[data-testid=asset] img')].every((i) => i.complete && i.naturalWidth > 0)`,
      );
      const wholeMask = await (await fetch(server.url + maskAfter)).arrayBuffer();
      assert.equal(await minValue(Buffer.from(wholeMask)), 255, 'the whole image is the mask');
      await shot(page, '07-redo-cutout.png');

      // Save: a download holding the boxes, phrases, prompt and every image inlined.
      const boxesBefore = await Promise.all([0, 1].map(async (k) => boxes.nth(k).boundingBox()));
      const downloading = page.waitForEvent('download');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      const download = await downloading;
      assert.equal(download.suggestedFilename(), 'contextgen-project.json');
      const saved = join(work, 'project.json');
      await download.saveAs(saved);
      const file = JSON.parse(await readFile(saved, 'utf8'));
      const state = loadProject(file); // the editor's own reader accepts it
      assert.equal(state.settings.prompt, 'a cat and a dog in a meadow');
      assert.deepEqual(
        state.instances.map((i) => i.phrase),
        ['a ginger cat', 'a small brown dog'],
      );
      assert.deepEqual(state.assets.map((a) => [a.name, a.maskSource]).sort(), [
        ['cat.png', 'alpha'],
        ['dog-photo.jpg', 'none'],
      ]);
      for (const a of state.assets) {
        for (const src of [a.src, a.cutoutSrc!, a.maskSrc!])
          assert.match(src, /^data:image\/(png|jpeg);base64,/, `${a.name}: image inlined`);
        assert.equal((await sharp(dataUrlBytes(a.src)).metadata()).width, a.width);
      }
      const savedDog = state.assets.find((a) => a.name === 'dog-photo.jpg')!;
      assert.equal(await minValue(dataUrlBytes(savedDog.maskSrc!)), 255);
      assert.ok(
        state.instances.every((i) => state.assets.some((a) => a.id === i.assetId)),
        'each box keeps its reference',
      );

      // Clear the document, then open the saved file: boxes, prompt and phrases come back.
      await page.getByTestId('prompt').fill('something else');
      for (let n = 2; n > 0; n--) await assets.first().getByRole('button', { name: '✕' }).click();
      assert.equal(await boxes.count(), 0);
      assert.equal(await assets.count(), 0);
      await pick(page, page.getByTitle('Open a saved project (.json)'), [saved]);
      await boxes.nth(1).waitFor();
      assert.equal(await page.getByTestId('prompt').inputValue(), 'a cat and a dog in a meadow');
      assert.deepEqual(await labels(page), ['a ginger cat', 'a small brown dog']);
      const boxesAfter = await Promise.all([0, 1].map(async (k) => boxes.nth(k).boundingBox()));
      assert.deepEqual(boxesAfter, boxesBefore, 'boxes at the same place');
      assert.match(await dog.innerText(), /mask: whole image/);
      await page.waitForFunction(
        `[...document.querySelectorAll('[data-testid=box] img')].every((i) => i.complete && i.naturalWidth > 0)`,
      );
      await shot(page, '08-opened.png');

      // An opened asset is not on the server yet: redoing its cutout uploads it first.
      const uploads = page.waitForResponse(
        (r) => r.url().endsWith('/api/uploads') && r.request().method() === 'POST',
        { timeout: 10_000 },
      );
      const redoneAgain = page.waitForResponse((r) => /\/cutout$/.test(r.url()), {
        timeout: 10_000,
      });
      await dog.getByRole('button', { name: 'Redo cutout' }).click();
      await dog.getByRole('button', { name: 'Auto' }).click();
      const [uploaded, redoneOpened] = await Promise.all([uploads, redoneAgain]);
      assert.equal(uploaded.status(), 201);
      assert.equal(redoneOpened.status(), 200);
      await page.waitForFunction(
        `[...document.querySelectorAll('[data-testid=asset]')].some((a) => /dog-photo/.test(a.innerText) && /mask: auto cutout/.test(a.innerText))`,
      );

      // Import the official segment_info format: a JSON list of examples, with its images.
      const [cat, dogRef] = await references();
      await writeFile(join(work, 'cat.png'), cat!.buffer);
      await writeFile(join(work, 'dog.png'), await sharp(dogRef!.buffer).png().toBuffer());
      const alphas = async (png: Buffer) =>
        new Set(
          [...(await sharp(png).ensureAlpha().raw().toBuffer())].filter((_, k) => k % 4 === 3),
        );
      assert.ok(
        [...(await alphas(cat!.buffer))].some((v) => v > 0 && v < 255),
        'the cat has soft alpha edges',
      );
      const info = {
        caption: 'two pets on a sofa',
        width: 128,
        height: 96,
        instances: [
          { image: 'refs/cat.png', bbox: [0, 16, 64, 80], phrase: 'a sleepy cat' },
          { image: 'dog.png', bbox: [64, 16, 128, 96], label: 'dog' },
        ],
      };
      const other = { caption: 'a bird', width: 64, instances: [{ bbox: [0, 0, 8, 8] }] };
      await writeFile(join(work, 'segment_info.json'), JSON.stringify([other, info]));
      // The boxes are scaled to the canvas the user chose: 64x48 here.
      await page.getByTestId('height').fill('48');
      await page.getByTestId('height').press('Enter');
      await pick(
        page,
        page.getByTitle('Import segment_info.json together with its reference images'),
        ['segment_info.json', 'cat.png', 'dog.png'].map((f) => join(work, f)),
      );
      const dialog = page.getByTestId('import-dialog');
      await dialog.waitFor();
      assert.deepEqual(await page.getByTestId('import-entry').locator('option').allInnerTexts(), [
        '1: a bird (1 box, 64×64)',
        '2: two pets on a sofa (2 boxes, 128×96)',
      ]);
      assert.match(
        await page.getByTestId('import-replaces').innerText(),
        /replaces the 2 references and 2 boxes/,
      );
      await page.getByTestId('import-entry').selectOption('1');
      await page.getByTestId('import-confirm').click();
      await page.waitForFunction(
        `document.querySelector('[data-testid=prompt]')?.value === 'two pets on a sofa'`,
      );
      await page.locator('.toast', { hasText: 'Boxes scaled from 128×96 to 64×48' }).waitFor();
      assert.deepEqual(await labels(page), ['a sleepy cat', 'dog']);
      assert.deepEqual(
        (await assets.allInnerTexts()).map((t) => t.split('\n')[0]),
        ['cat.png', 'dog.png'],
      );
      // Alpha below 0.5 is background: the imported cat has only clear and opaque pixels.
      const catSrc = (await assets.first().locator('img').getAttribute('src'))!;
      assert.deepEqual([...(await alphas(dataUrlBytes(catSrc)))].sort(), [0, 255]);
      assert.match(await page.locator('.canvas-caption').innerText(), /^64×48 px · 2 boxes/);
      const canvas = (await page.getByTestId('canvas').boundingBox())!;
      const second = (await boxes.nth(1).boundingBox())!;
      assert.ok(Math.abs(second.x - canvas.x - canvas.width / 2) < 2, 'box x1 at half the width');
      assert.ok(Math.abs(second.width - canvas.width / 2) < 2, 'box half the width');

      // The import is one undo step (and redo brings it back).
      await page.locator('body').click({ position: { x: 2, y: 880 } });
      await page.keyboard.press('Control+z');
      assert.deepEqual(await labels(page), ['a ginger cat', 'a small brown dog']);
      assert.equal(await page.getByTestId('prompt').inputValue(), 'a cat and a dog in a meadow');
      await page.keyboard.press('Control+Shift+z');
      assert.deepEqual(await labels(page), ['a sleepy cat', 'dog']);

      // Generate from the import: the editor uploads both references, the job succeeds.
      const created = page.waitForResponse(
        (r) => r.url().endsWith('/api/jobs') && r.request().method() === 'POST',
      );
      await page.getByTestId('generate').click();
      const jobResponse = await created;
      const sent = jobResponse.request().postDataJSON();
      assert.equal(sent.prompt, 'two pets on a sofa');
      assert.deepEqual(
        sent.instances.map((i: { box: number[] }) => i.box),
        info.instances.map((i) => i.bbox.map((v) => v / 2)),
        'boxes scaled from the 128x96 frame to the 64x48 canvas',
      );
      assert.ok(sent.instances.every((i: { reference?: string }) => i.reference));
      const job = await jobResponse.json();
      await page.getByTestId('result-image').waitFor();
      assert.equal((await fetchJson(`${server.url}/api/jobs/${job.id}`)).status, 'succeeded');
      // The library now shows the server's cutouts, the masks the model got.
      const meta = (await assets.allInnerTexts()).map((t) => /mask: ([a-z ]+)/.exec(t)?.[1]);
      assert.deepEqual(meta, ['alpha', 'auto cutout']);
      assert.match(await page.getByTestId('untrained-warning').innerText(), /Untrained model/);
      await shot(page, '09-imported.png');
      assert.deepEqual(pageErrors, []);
    } finally {
      await editor.close();
      await rm(work, { recursive: true, force: true });
    }
  },
);
