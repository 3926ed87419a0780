/**
 * Issue 13 in a real browser, results are never lost: a reload in the middle of a generation
 * picks the job up again (progress, then the result in History, listed among the server's
 * jobs); two tabs keep their own documents, share their results, and a tab is told when the
 * other one saved (and can load that version, undoably).
 * Needs /usr/bin/chromium (Debian package "chromium") and a built editor (npm run build -w @contextgen/web).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { fetchJson } from '../../packages/server/src/test-util.ts';
import { missing, openEditor, references } from './browser.ts';

async function placeCat(page: Page): Promise<void> {
  await page.getByTestId('upload-input').setInputFiles((await references()).slice(0, 1));
  await page.getByTestId('asset').getByRole('button', { name: 'Place' }).click();
}

const historyCount = (page: Page) => page.getByTestId('history-item').count();

async function waitForHistory(page: Page, n: number): Promise<void> {
  await page.waitForFunction(
    `document.querySelectorAll('[data-testid=history-item]').length === ${n}`,
    undefined,
    { timeout: 30_000 },
  );
}

test(
  'editor: a reload mid-generation reattaches; the result reaches History and the job list',
  { skip: missing ?? false, timeout: 120_000 },
  async () => {
    const editor = await openEditor(300);
    const { server, page, pageErrors } = editor;
    try {
      await placeCat(page);
      await page.locator('label', { hasText: 'Steps' }).locator('input').fill('12');
      await page.getByTestId('prompt').fill('a cat on a sofa');
      const created = page.waitForResponse(
        (r) => r.url().endsWith('/api/jobs') && r.request().method() === 'POST',
      );
      await page.getByTestId('generate').click();
      const job = await (await created).json();
      await page.waitForFunction(
        `/Step [1-9]/.test(document.querySelector('[data-testid=status]')?.innerText ?? '')`,
      );
      await page.reload();
      await page.waitForFunction(
        `/picked up again/.test(document.querySelector('[data-testid=status]')?.innerText ?? '')`,
      );
      assert.match(
        await page.getByTestId('status').innerText(),
        /^Step \d+ of 12 \(picked up again\)$/,
      );
      assert.equal(
        await page.getByTestId('cancel').isVisible(),
        true,
        'the job can be cancelled again',
      );
      await waitForHistory(page, 1);
      await page.getByTestId('result-image').waitFor();
      const record = await fetchJson(`${server.url}/api/jobs/${job.id}`);
      assert.equal(record.status, 'succeeded');
      assert.equal(await page.getByTestId('result-seed').innerText(), `Seed ${record.result.seed}`);
      await page.locator('[data-testid=job][data-status=succeeded]').first().waitFor();
      assert.match(await page.getByTestId('jobs').innerText(), /a cat on a sofa/);

      // Another reload: the result stays, once.
      await page.reload();
      await page.getByTestId('budget').waitFor();
      await page.waitForTimeout(500);
      assert.equal(await historyCount(page), 1);
      assert.equal(await page.getByTestId('prompt').inputValue(), 'a cat on a sofa');
      assert.deepEqual(pageErrors, []);
    } finally {
      await editor.close();
    }
  },
);

test(
  'editor: two tabs keep their own prompts and share their results',
  { skip: missing ?? false, timeout: 120_000 },
  async () => {
    const editor = await openEditor(0);
    const { server, context, page: a, pageErrors } = editor;
    try {
      await placeCat(a);
      await a.getByTestId('prompt').fill('from tab A');
      await a.waitForTimeout(400); // autosave

      // A second tab opens the latest document, then goes its own way.
      const b = await context.newPage();
      b.on('pageerror', (e) => pageErrors.push(e.message));
      await b.goto(server.url!);
      await b.getByTestId('budget').waitFor();
      assert.equal(await b.getByTestId('prompt').inputValue(), 'from tab A');
      assert.equal(await b.getByTestId('box').count(), 1);
      await a.waitForTimeout(500);
      assert.equal(await a.getByTestId('other-tab').count(), 0, 'opening a tab is no news');
      await b.getByTestId('prompt').fill('from tab B');
      await b.getByTestId('generate').click();
      await waitForHistory(b, 1);

      // Tab A: told about B's save, its own prompt untouched, B's result in its History.
      await a.getByTestId('other-tab').waitFor();
      assert.equal(await a.getByTestId('prompt').inputValue(), 'from tab A');
      await waitForHistory(a, 1);
      await a.getByTestId('generate').click();
      await waitForHistory(a, 2);
      await waitForHistory(b, 2);

      // Reload both: each keeps its prompt, both keep both results.
      await a.reload();
      await b.reload();
      for (const [p, prompt] of [
        [a, 'from tab A'],
        [b, 'from tab B'],
      ] as const) {
        await p.getByTestId('budget').waitFor();
        assert.equal(await p.getByTestId('prompt').inputValue(), prompt);
        await waitForHistory(p, 2);
      }

      // A takes B's version on request, and Undo gives its own back.
      await b.getByTestId('prompt').fill('from tab B, again');
      await a.getByTestId('other-tab').waitFor();
      await a.getByRole('button', { name: 'Load the other tab’s version' }).click();
      assert.equal(await a.getByTestId('prompt').inputValue(), 'from tab B, again');
      await a.locator('body').click({ position: { x: 2, y: 880 } });
      await a.keyboard.press('Control+z');
      assert.equal(await a.getByTestId('prompt').inputValue(), 'from tab A');
      assert.deepEqual(pageErrors, []);
    } finally {
      await editor.close();
    }
  },
);
