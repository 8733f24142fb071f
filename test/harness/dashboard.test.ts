// The live dashboard's pieces without a broker: the metric window (CloudWatch statistics under
// CloudWatch's names), the feed file's states (idle, running, ended, gone stale), the server's
// routes and its one-line error for a taken port, and the CLI's checks of --dashboard/--port.
import { appendFileSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseRunArgs } from '../../harness/cli.ts';
import { LiveFeedWriter, type LiveRun, readLiveState, STALE_AFTER_MS } from '../../harness/dashboard/live-feed.ts';
import { metricWindow } from '../../harness/dashboard/metric-window.ts';
import { dashboardAt, startDashboard } from '../../harness/dashboard/server.ts';
import { UsageError } from '../../harness/errors.ts';
import { makeRunReport } from './support/report-fixture.ts';

const run = (runId = 'r1'): LiveRun => ({
  lab: '01-baseline',
  title: 'Baseline',
  runId,
  startedAt: new Date().toISOString(),
  durationSec: 12,
  drainTimeoutSec: 30,
  expected: { batchSize: 51, latencyFloorMs: 302 },
});
const sample = (processedSoFar: number, published: number, e2e: number[]) => ({
  at: Date.now(),
  processedSoFar,
  offsetLag: 40,
  pollers: 1,
  concurrency: 1,
  recentEndToEndMs: e2e,
  metrics: metricWindow([
    { name: 'EventsPublished', values: Array(published).fill(1), dimensions: { service: 'producer' } },
    { name: 'EndToEndDuration', values: e2e, dimensions: { service: 'booking-processor' } },
  ]),
});

test('metricWindow: average, maximum and minimum of EndToEndDuration, sums of counts, BatchSize per service', () => {
  const window = metricWindow([
    { name: 'EndToEndDuration', values: [100, 300], dimensions: { service: 'booking-processor' } },
    { name: 'EndToEndDuration', values: [200], dimensions: { service: 'booking-processor' } },
    { name: 'EventsPublished', values: [1, 1, 1], dimensions: { service: 'producer' } },
    { name: 'EventsProcessed', values: [50], dimensions: { service: 'booking-processor' } },
    { name: 'BatchSize', values: [50, 51], dimensions: { service: 'booking-processor' } },
    { name: 'BatchSize', values: [10], dimensions: { service: 'sqs-processor' } },
    { name: 'SendDelay', values: [3], dimensions: { service: 'producer' } },
  ]);
  assert.equal(window, {
    EventsPublished: 3,
    EventsProcessed: 50,
    BatchSize: { 'booking-processor': 50.5, 'sqs-processor': 10 },
    EndToEndDuration: { avg: 200, max: 300, min: 100 },
  });
  assert.equal(metricWindow([]), { EventsPublished: 0, EventsProcessed: 0, BatchSize: {} }, 'nothing completed: no duration at all, not zeros');
});

test('the feed: idle with no run, running while fresh, the last run kept after its end', () => {
  const dir = mkdtempSync(join(tmpdir(), 'klw-feed-'));
  assert.equal(readLiveState(dir), { status: 'idle' });
  const writer = new LiveFeedWriter(run(), dir);
  writer.sampled(sample(0, 100, []), 0.5, 'load');
  writer.sampled(sample(53, 100, [400, 500]), 1.5, 'load');
  const running = readLiveState(dir);
  assert.is(running.status, 'running');
  if (running.status !== 'running') return;
  assert.is(running.points.length, 2);
  assert.equal(running.points[1].EndToEndDuration, { avg: 450, max: 500, min: 400 });
  assert.is(running.points[1].totalPublished, 200, 'published adds up across samples');
  assert.is(running.points[1].totalProcessed, 53);

  writer.finished(makeRunReport().labs[0]);
  const ended = readLiveState(dir);
  assert.is(ended.status, 'idle');
  if (ended.status !== 'idle') return;
  assert.is(ended.last?.run.runId, 'r1');
  assert.is(ended.last?.points.length, 2);
  assert.type(ended.last?.end?.passed, 'boolean');
});

test('the feed: a run that stopped writing without an end is reported as stopped, and a torn line is skipped', () => {
  const dir = mkdtempSync(join(tmpdir(), 'klw-feed-'));
  const writer = new LiveFeedWriter(run(), dir);
  writer.sampled(sample(0, 10, []), 1, 'load');
  appendFileSync(writer.file, '{"type":"point","point":{"t":2');
  assert.is(readLiveState(dir).status, 'running');
  const past = (Date.now() - STALE_AFTER_MS - 1000) / 1000;
  utimesSync(writer.file, past, past);
  const state = readLiveState(dir);
  assert.is(state.status, 'idle');
  if (state.status === 'idle') assert.match(state.last?.end?.error ?? '', 'stopped without a result');
});

test('the feed keeps the newest 20 runs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'klw-feed-'));
  for (let i = 0; i < 25; i++) writeFileSync(join(dir, `${1000 + i}-old${i}.jsonl`), '');
  new LiveFeedWriter(run('newest'), dir);
  const files = readdirSync(dir);
  assert.is(files.length, 20);
  assert.ok(files.some((f) => f.endsWith('-newest.jsonl')));
  assert.not.ok(files.includes('1000-old0.jsonl'), 'the oldest went first');
});

test('the server serves the page, Chart.js and the live state on 127.0.0.1, and 404s the rest', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'klw-feed-'));
  const server = await startDashboard({ port: 0, feedDir: dir });
  try {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await fetch(server.url);
    assert.is(page.status, 200);
    assert.match(await page.text(), 'data-widget="end-to-end"');
    const chart = await fetch(`${server.url}chart.js`);
    assert.is(chart.status, 200);
    assert.ok((await chart.text()).length > 100_000, 'the Chart.js UMD build');
    assert.equal(await (await fetch(`${server.url}api/live`)).json(), { status: 'idle' });
    assert.is((await fetch(`${server.url}nope`)).status, 404);
    assert.ok(await dashboardAt(Number(new URL(server.url).port)), 'a run can recognise it');
  } finally {
    await server.close();
  }
});

test('a taken port is one clear error that names the fix, and another server is not mistaken for ours', async () => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as { port: number }).port;
  try {
    const error = await startDashboard({ port }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.instance(error, UsageError);
    assert.match((error as Error).message, `Port ${port} on 127.0.0.1 is in use`);
    assert.match((error as Error).message, '--port N');
    assert.is(await dashboardAt(port), undefined);
  } finally {
    blocker.close();
  }
});

test('--port needs --dashboard, and --dashboard is for local runs', () => {
  assert.throws(() => parseRunArgs(['1', '--port', '4311']), /--port sets the live dashboard's port: add --dashboard/);
  assert.throws(() => parseRunArgs(['1', '--dashboard', '--target', 'aws']), /CloudWatch dashboard klw-dashboard/);
  assert.throws(() => parseRunArgs(['1', '--dashboard', '--port', '70000']), /--port 70000 is not valid: use a number from 0 to 65535/);
  const options = parseRunArgs(['1', '--dashboard', '--port', '0']);
  assert.is(options.dashboard, true);
  assert.is(options.port, 0);
});

test.run();
