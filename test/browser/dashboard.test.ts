// The live dashboard in headless Chromium, the way an instructor uses it: `workshop dashboard` in
// one terminal says no run is in progress; `workshop run 1 --quick` in another makes every widget
// move while traffic flows; afterwards the page keeps that run under a "no run in progress"
// banner. A screenshot of the charts mid-run is kept in reports/dashboard.png. A learner's
// `workshop check` is followed the same way, and the HTML report it writes opens and draws.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ESM_METRICS_WIDGET, WIDGETS } from '../../harness/dashboard/page.ts';
import { CHECK_REPORT_HTML, CHECK_REPORT_JSON } from '../../harness/exercise/check.ts';
import { EXERCISES_DIR_ENV } from '../../harness/exercise/workspace.ts';
import { browser, closeBrowser, inkedPixels, REPORTS } from './support.ts';

const BIN = new URL('../../bin/workshop.js', import.meta.url).pathname;
const SCREENSHOT = join(REPORTS, 'dashboard.png');
const stateDir = mkdtempSync(join(tmpdir(), 'klw-dashboard-'));
const children: ChildProcess[] = [];

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number>;
}

function workshop(args: string[], env: Record<string, string> = {}): Started {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, WORKSHOP_SANDBOX_STATE_DIR: stateDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  return { child, output: () => output, exited };
}

async function dashboardUrl(started: Started): Promise<string> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const match = /Live dashboard: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(started.output());
    if (match) return match[1];
    if (started.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no dashboard URL was printed:\n${started.output().slice(-2000)}`);
}

async function openDashboard(url: string): Promise<{ page: Page; errors: string[]; requests: string[] }> {
  const page = await (await browser()).newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (msg) => msg.type() === 'error' && errors.push(msg.text()));
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('request', (req) => !req.url().startsWith(url) && requests.push(req.url()));
  await page.goto(url, { waitUntil: 'load' });
  return { page, errors, requests };
}

const widgetValues = (page: Page): Promise<Record<string, string | null>> =>
  page.evaluate(() =>
    Object.fromEntries(
      Array.from(document.querySelectorAll('[data-widget]')).map((w) => [w.getAttribute('data-widget'), w.querySelector('.value')!.getAttribute('data-value')]),
    ),
  );

/** Points each chart holds with a value (Chart.js's own data, not pixels). */
const chartPoints = (page: Page) =>
  page.evaluate(() =>
    Object.fromEntries(
      Array.from(document.querySelectorAll('canvas')).map((canvas) => {
        const chart = (
          window as unknown as { Chart: { getChart(c: HTMLCanvasElement): { data: { datasets: Array<{ data: Array<{ y: number | null }> }> } } } }
        ).Chart.getChart(canvas);
        return [canvas.id, chart ? chart.data.datasets.reduce((n, d) => n + d.data.filter((p) => p.y !== null).length, 0) : 0];
      }),
    ),
  );

test.after(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  await closeBrowser();
  rmSync(stateDir, { recursive: true, force: true });
});

test('workshop dashboard follows a lab run in another process: every widget moves, then the run is kept', async () => {
  const server = workshop(['dashboard', '--port', '0']);
  const url = await dashboardUrl(server);
  const { page, errors, requests } = await openDashboard(url);

  await page.waitForSelector('body[data-status="idle"]', { timeout: 10_000 });
  assert.match((await page.textContent('#idle'))!, 'No run in progress');
  assert.ok(await page.isHidden('#widgets'), 'no empty axes before any run');

  const run = workshop(['run', '1', '--quick']);
  await page.waitForSelector('body[data-status="running"]', { timeout: 120_000 });
  const seen = new Map<string, Set<string>>([...WIDGETS, ESM_METRICS_WIDGET].map((w) => [w.id, new Set<string>()]));
  let screenshotTaken = false;
  while ((await page.getAttribute('body', 'data-status')) === 'running') {
    for (const [id, value] of Object.entries(await widgetValues(page))) if (value) seen.get(id)!.add(value);
    const status = (await page.textContent('#status'))!;
    if (!screenshotTaken && /load · (9|1\d) s/.test(status)) {
      mkdirSync(REPORTS, { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      screenshotTaken = true;
      const points = await chartPoints(page);
      for (const w of WIDGETS) assert.ok(points[`chart-${w.id}`] >= 5, `${w.id} chart has points mid-run (${points[`chart-${w.id}`]})`);
      for (const c of await inkedPixels(page)) assert.ok(c.inked > 3000, `${c.id} is drawn (${c.inked} inked pixels)`);
    }
    await page.waitForTimeout(500);
  }
  // Targets are the lessons' business (test/harness/e2e); here the run only has to complete.
  const code = await run.exited;
  assert.ok(code === 0 || code === 1, `the run completed with a report (exit ${code}):\n${run.output().slice(-1500)}`);
  assert.ok(screenshotTaken, 'a screenshot was taken while the load ran');
  assert.ok(existsSync(SCREENSHOT));
  for (const [id, values] of seen) assert.ok(values.size >= 2, `widget ${id} changed while traffic flowed (values seen: ${[...values].join(', ')})`);

  await page.waitForSelector('body[data-status="idle"]', { timeout: 30_000 });
  const lastRun = (await page.textContent('#last-run'))!;
  assert.match(lastRun, /Showing the last run: 01-baseline/);
  assert.match(lastRun, code === 0 ? /PASS · p50 \d/ : /FAIL · p50 \d/);
  assert.ok(await page.isVisible('#widgets'), "the finished run's charts stay on screen");
  const esmRows = await page.$$eval('[data-widget="esm-metrics"] tr[data-metric]', (rows) =>
    Object.fromEntries(rows.map((r) => [r.getAttribute('data-metric'), Number(r.children[1].textContent!.replace(/,/g, ''))])),
  );
  assert.ok(esmRows.PolledEventCount > 0, `the ESM metrics table shows PolledEventCount under its AWS name (${JSON.stringify(esmRows)})`);
  assert.ok('MaxOffsetLag' in esmRows, 'and the KafkaMetrics group');
  assert.equal(errors, [], 'no console error');
  assert.equal(requests, [], 'everything comes from the dashboard server (offline)');
  await page.close();
  server.child.kill('SIGINT');
  assert.is(await server.exited, 0, 'Ctrl+C stops the dashboard cleanly');
});

test('workshop run --dashboard serves the page for its own run and stops with it', async () => {
  const run = workshop(['run', '2', '--quick', '--dashboard', '--port', '0']);
  const url = await dashboardUrl(run);
  const { page, errors } = await openDashboard(url);
  await page.waitForSelector('body[data-status="running"]', { timeout: 120_000 });
  assert.match((await page.textContent('#status'))!, /02-/);
  await page.waitForFunction(() => Number(document.querySelector('[data-widget="processed"] .value')!.getAttribute('data-value')) > 0, undefined, {
    timeout: 30_000,
  });
  const code = await run.exited;
  assert.ok(code === 0 || code === 1, `the run completed with a report (exit ${code}):\n${run.output().slice(-1500)}`);
  const after = await fetch(`${url}api/live`).then(
    () => 'answered',
    () => 'closed',
  );
  assert.is(after, 'closed', 'the dashboard stopped with the run');
  assert.equal(
    errors.filter((e) => !/Failed to fetch|ERR_CONNECTION_REFUSED/.test(e)),
    [],
  );
  await page.close();
});

test("a learner's check is a run like any other: the live dashboard follows it, and its HTML report opens", async () => {
  const exercises = mkdtempSync(join(tmpdir(), 'klw-dashboard-exercises-'));
  const env = { [EXERCISES_DIR_ENV]: exercises };
  try {
    assert.is(await workshop(['solution', '1'], env).exited, 0, "the solution as the learner's files");
    const server = workshop(['dashboard', '--port', '0']);
    const url = await dashboardUrl(server);
    const { page, errors } = await openDashboard(url);
    await page.waitForSelector('body[data-status="idle"]', { timeout: 10_000 });

    const check = workshop(['check', '1', '--quick'], env);
    await page.waitForSelector('body[data-status="running"]', { timeout: 120_000 });
    assert.match((await page.textContent('#status'))!, /01-/);
    await page.waitForFunction(() => Number(document.querySelector('[data-widget="processed"] .value')!.getAttribute('data-value')) > 0, undefined, {
      timeout: 30_000,
    });
    const code = await check.exited;
    assert.is(code, 0, `the check passed:\n${check.output().slice(-2000)}`);
    await page.waitForSelector('body[data-status="idle"]', { timeout: 30_000 });
    const lastRun = (await page.textContent('#last-run'))!;
    assert.match(lastRun, /Showing the last run: 01-baseline/);
    assert.match(lastRun, /PASS · p50 \d/);
    assert.equal(errors, [], 'no console error');
    await page.close();
    server.child.kill('SIGINT');
    await server.exited;

    const report = join(exercises, '01-baseline', CHECK_REPORT_HTML);
    assert.match(check.output(), `${CHECK_REPORT_HTML} (HTML report)`);
    assert.ok(existsSync(join(exercises, '01-baseline', CHECK_REPORT_JSON)), 'and its JSON');
    const reportPage = await (await browser()).newPage();
    const reportErrors: string[] = [];
    reportPage.on('pageerror', (err) => reportErrors.push(err.message));
    await reportPage.goto(pathToFileURL(report).href, { waitUntil: 'load' });
    assert.match((await reportPage.textContent('body'))!, '01-baseline');
    const canvases = await inkedPixels(reportPage);
    assert.ok(canvases.length > 0, 'the report has its charts');
    for (const c of canvases) assert.ok(c.inked > 1000, `the report's ${c.id} is drawn (${c.inked} inked pixels)`);
    assert.equal(reportErrors, []);
    await reportPage.close();
  } finally {
    rmSync(exercises, { recursive: true, force: true });
  }
});

test.run();
