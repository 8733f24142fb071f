// The room board in headless Chromium, as an instructor projects it: participants' checks arrive
// and their rows appear and change without a reload; the stuck-on list follows; a name that
// looks like markup shows as text.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type RoomReport } from '../../harness/room/room-report.ts';
import { startRoom } from '../../harness/room/room-server.ts';
import { roomReportOf as report } from '../harness/support/room-fixture.ts';
import { browser, closeBrowser } from './support.ts';

const dir = mkdtempSync(join(tmpdir(), 'klw-room-browser-'));

test('rows appear and update as checks arrive, with what the room is stuck on', async () => {
  const room = await startRoom({ port: 0, stateFile: join(dir, 'board.json') });
  const send = (r: RoomReport) =>
    fetch(new URL(`/api/report?code=${room.board.code}`, room.url), {
      method: 'POST',
      body: JSON.stringify(r),
      headers: { 'content-type': 'application/json' },
    });
  const page = await (await browser()).newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  try {
    await page.goto(room.url);
    await page.waitForFunction(() => document.getElementById('join')?.textContent?.includes('?code='));
    assert.match((await page.textContent('#join')) ?? '', `--room ${room.joinUrl}`);
    assert.is(await page.locator('#rows tr').count(), 0);

    await send(report('Ana'));
    await send(report('Bo'));
    await send(report('Cy'));
    await page.waitForFunction(() => document.querySelectorAll('#rows tr').length === 3);
    assert.match((await page.textContent('#stuck')) ?? '', '3 of 3 on 02-low-latency: p50');
    assert.match((await page.locator('tr[data-name="Ana"]').textContent()) ?? '', 'fail');

    await send(report('Ana', { passed: true, failing: [], checks: 2, hintsUsed: 1 }));
    await page.waitForFunction(() => document.querySelector('tr[data-name="Ana"] td:nth-child(3)')?.textContent === 'pass');
    const ana = (await page.locator('tr[data-name="Ana"] td').allTextContents()).map((t) => t.trim());
    assert.equal([ana[1], ana[2], ana[5], ana[6], ana[7]], ['02-low-latency', 'pass', '2', '1', '02-low-latency']);
    assert.match((await page.textContent('#stuck')) ?? '', '2 of 3 on 02-low-latency: p50');
    assert.equal(errors, []);
  } finally {
    await page.close();
    await room.close();
  }
});

test('a name that looks like markup is shown as text, never run', async () => {
  const room = await startRoom({ port: 0, stateFile: join(dir, 'markup.json') });
  const page = await (await browser()).newPage();
  let dialogs = 0;
  page.on('dialog', (dialog) => {
    dialogs++;
    void dialog.dismiss();
  });
  try {
    await page.goto(room.url);
    const sneaky = 'Eve" onmouseover="alert(1)';
    await fetch(new URL(`/api/report?code=${room.board.code}`, room.url), {
      method: 'POST',
      body: JSON.stringify(report(sneaky, { failing: [{ name: '<b>bold</b>' }] })),
    });
    await page.waitForFunction(() => document.querySelectorAll('#rows tr').length === 1);
    assert.is(await page.locator('#rows tr td').first().textContent(), sneaky);
    assert.is(await page.locator('#rows b').count(), 0);
    await page.hover('#rows tr td');
    assert.is(dialogs, 0);
  } finally {
    await page.close();
    await room.close();
  }
});

test.after(async () => {
  await closeBrowser();
  rmSync(dir, { recursive: true, force: true });
});

test.run();
