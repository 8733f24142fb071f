// Opens the rendered HTML report in headless Chromium: no console error, no network request,
// every chart drawn with visible pixels, and a full-page screenshot in reports/ to look at.
// Needs a Chromium (`npm test` finds or installs one: test/browser/chromium.ts): missing, it fails.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderHtmlReport } from '../../harness/report/html.ts';
import type { RunReport } from '../../harness/run-result.ts';
import { makeRunReport } from '../harness/support/report-fixture.ts';
import { closeBrowser, inkedPixels, type Opened, openFile, REPORTS } from './support.ts';

const SCREENSHOT = join(REPORTS, 'report-screenshot.png');

async function open(report: RunReport, name: string): Promise<Opened> {
  mkdirSync(REPORTS, { recursive: true });
  const file = join(REPORTS, name);
  writeFileSync(file, renderHtmlReport(report));
  return openFile(file);
}

test.after(closeBrowser);

test('the report opens offline with no error and draws every chart', async () => {
  const report = makeRunReport();
  const { page, errors, requests } = await open(report, 'report-fixture.html');
  assert.equal(errors, [], 'no console error or page error');
  assert.equal(requests, [], 'no request leaves the file');
  const embedded = JSON.parse((await page.textContent('#report-data'))!) as { charts: unknown[] };
  assert.is(await page.getAttribute('body', 'data-charts-drawn'), String(embedded.charts.length), 'the script drew every embedded chart');
  const canvases = await inkedPixels(page);
  assert.is(canvases.length, embedded.charts.length);
  assert.ok(canvases.length >= report.labs.length * 6, `expected six charts per lab, got ${canvases.length}`);
  for (const c of canvases) {
    assert.ok(c.width > 200, `${c.id} is laid out (width ${c.width})`);
    assert.ok(c.inked > 2000, `${c.id} has drawn pixels (${c.inked})`);
  }
  assert.is(await page.locator('table.comparison tbody tr').count(), report.labs.length);
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  assert.ok(existsSync(SCREENSHOT));
  await page.close();
});

test('a lab with no timeline shows sentences instead of empty charts, without errors', async () => {
  const report = makeRunReport();
  const lab = report.labs[0];
  Object.assign(lab, { timeline: [], batchSizes: [], latencyHistogram: [], title: 'Empty <run> & "nothing"' });
  const { page, errors, requests } = await open(report, 'report-empty-timeline.html');
  assert.equal(errors, []);
  assert.equal(requests, []);
  const section = page.locator('section.lab').first();
  assert.is(await section.locator('canvas').count(), 0);
  assert.is(await section.locator('.nodata').count(), 6);
  assert.ok((await section.locator('h2').textContent())!.includes('Empty <run> & "nothing"'));
  for (const c of await inkedPixels(page)) assert.ok(c.inked > 2000, `${c.id} has drawn pixels`);
  await page.close();
});

test.run();
