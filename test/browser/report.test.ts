// Opens the rendered HTML report in headless Chromium: no console error, no network request,
// every chart drawn with visible pixels, and a full-page screenshot in reports/ to look at.
// Needs Debian's Chromium (`apt-get install -y chromium`, as .ci/run does): missing, it fails.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderHtmlReport } from '../../harness/report/html.ts';
import type { RunReport } from '../../harness/run-result.ts';
import { makeRunReport } from '../harness/support/report-fixture.ts';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = new URL('../..', import.meta.url).pathname;
const REPORTS = join(ROOT, 'reports');
const SCREENSHOT = join(REPORTS, 'report-screenshot.png');

let context: BrowserContext | undefined;
let userDataDir: string | undefined;

async function browser(): Promise<BrowserContext> {
  if (context) return context;
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install Debian's Chromium with \`apt-get update && apt-get install -y chromium\` (the CI script installs it).`);
  }
  userDataDir = mkdtempSync(join(tmpdir(), 'report-chromium-'));
  // launchPersistentContext is how Playwright takes a --user-data-dir: a fresh one per run.
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
    deviceScaleFactor: 1,
  });
  return context;
}

interface Opened {
  page: Page;
  errors: string[];
  requests: string[];
}

async function open(report: RunReport, name: string): Promise<Opened> {
  mkdirSync(REPORTS, { recursive: true });
  const file = join(REPORTS, name);
  writeFileSync(file, renderHtmlReport(report));
  const page = await (await browser()).newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('request', (req) => {
    if (!/^(file|data|about|blob):/.test(req.url())) requests.push(req.url());
  });
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  await page.waitForFunction(() => document.body.hasAttribute('data-charts-drawn'), undefined, { timeout: 15_000 }).catch(() => {});
  return { page, errors, requests };
}

/** For each canvas: its id and how many pixels are not fully transparent. */
function inkedPixels(page: Page): Promise<Array<{ id: string; width: number; inked: number }>> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll('canvas')).map((canvas) => {
      const ctx = canvas.getContext('2d')!;
      const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
      let inked = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) inked++;
      return { id: canvas.id, width: canvas.width, inked };
    }),
  );
}

test.after(async () => {
  await context?.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
});

test('the report opens offline with no error and draws every chart', async () => {
  const report = makeRunReport();
  const { page, errors, requests } = await open(report, 'report-fixture.html');
  assert.equal(errors, [], 'no console error or page error');
  assert.equal(requests, [], 'no request leaves the file');
  const embedded = JSON.parse((await page.textContent('#report-data'))!) as { charts: unknown[] };
  assert.is(await page.getAttribute('body', 'data-charts-drawn'), String(embedded.charts.length), 'the script drew every embedded chart');
  const canvases = await inkedPixels(page);
  assert.is(canvases.length, embedded.charts.length);
  assert.ok(canvases.length >= 4 * 6, `expected six charts per lab, got ${canvases.length}`);
  for (const c of canvases) {
    assert.ok(c.width > 200, `${c.id} is laid out (width ${c.width})`);
    assert.ok(c.inked > 2000, `${c.id} has drawn pixels (${c.inked})`);
  }
  assert.is(await page.locator('table.comparison tbody tr').count(), 4);
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
