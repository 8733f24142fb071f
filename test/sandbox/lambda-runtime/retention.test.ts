// The runtime's stores (metrics, log lines, invocation records, concurrency timeline) keep a
// retention window instead of everything forever: a sandbox that runs for hours holds a bounded
// amount (npm run soak measured about 13 MB/min of growth at 1,000 events/s before the window).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sendDelaysOf } from '../../../sandbox/index.ts';
import { DEFAULT_RETENTION_MS, LambdaRuntime, type MetricDatum, MetricStore } from '../../../sandbox/lambda-runtime/index.ts';
import { RetainedList } from '../../../sandbox/lambda-runtime/retention.ts';
import { fixture } from './fixtures.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapUsedAfterGc = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

const datum = (name: string, timestamp: number): MetricDatum => ({
  namespace: 'Test',
  name,
  unit: 'Count',
  dimensions: {},
  values: [1],
  timestamp,
  storageResolution: 60,
  functionName: 'f',
  requestId: 'r',
});

test('RetainedList keeps what arrived within the window, oldest first, and forgets the rest', () => {
  let now = 0;
  const list = new RetainedList<number>({ retentionMs: 1000, now: () => now });
  for (let t = 0; t <= 5000; t += 100) {
    now = t;
    list.push(t);
  }
  assert.equal(list.all(), [4000, 4100, 4200, 4300, 4400, 4500, 4600, 4700, 4800, 4900, 5000]);
  assert.is(list.size, 11);
  now += 10_000; // nothing added: reading expires too
  assert.is(list.size, 0);
  assert.equal(list.all(), []);
  list.push(1);
  assert.equal(list.all(), [1]);
  list.clear();
  assert.is(list.size, 0);
});

test('RetainedList: Infinity keeps everything; a window of 0 or less is refused', () => {
  let now = 0;
  const list = new RetainedList<number>({ retentionMs: Infinity, now: () => now });
  for (let i = 0; i < 5000; i++, now += 1000) list.push(i);
  assert.is(list.size, 5000);
  assert.throws(() => new RetainedList({ retentionMs: 0 }), /retentionMs 0 is not valid/);
  assert.throws(() => new RetainedList({ retentionMs: Number.NaN }), /is not valid/);
  assert.is(new RetainedList().retentionMs, DEFAULT_RETENTION_MS);
  assert.is(DEFAULT_RETENTION_MS, 15 * 60_000);
});

test('RetainedList: memory stays bounded by the window, however many entries pass through', () => {
  let now = 0;
  const list = new RetainedList<{ text: string }>({ retentionMs: 1000, now: () => now });
  const before = heapUsedAfterGc();
  let peak = 0;
  // 400,000 entries of ~200 bytes, one per fake millisecond: 80+ MB if all were kept.
  for (let i = 0; i < 400_000; i++, now++) {
    list.push({ text: `entry ${i} `.padEnd(200, 'x') });
    peak = Math.max(peak, list.size);
  }
  const grown = heapUsedAfterGc() - before;
  assert.is(peak, 1001, 'at most the entries of the last second (1 per ms, both ends inclusive)');
  assert.is(list.size, 1000, 'the clock moved on by 1 ms after the last entry');
  assert.ok(
    grown < 8 * 1024 * 1024,
    `the heap grew ${(grown / 1024 / 1024).toFixed(1)} MB; a window of 1,001 entries of ~200 bytes needs well under 1 MB plus the compaction slack`,
  );
  assert.is(list.all()[0].text.startsWith('entry 399000 '), true);
});

test('MetricStore: the default window is 15 minutes; since/until queries work within it', () => {
  let now = 1_000_000;
  const store = new MetricStore({ now: () => now });
  store.add(datum('Old', now));
  now += 10 * 60_000;
  store.add(datum('Recent', now));
  assert.equal(
    store.find().map((d) => d.name),
    ['Old', 'Recent'],
  );
  assert.equal(
    store.find({ since: now }).map((d) => d.name),
    ['Recent'],
  );
  now += 5 * 60_000 + 1; // Old arrived 15 min + 1 ms ago
  assert.equal(
    store.find().map((d) => d.name),
    ['Recent'],
  );
  assert.is(store.size, 1);
  assert.is(store.retentionMs, DEFAULT_RETENTION_MS);
});

test('MetricStore: retention counts from arrival, not from the Timestamp the function wrote', () => {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const store = new MetricStore({ retentionMs: 60_000, now: () => now });
  store.add(datum('WrittenLongAgo', 1_700_000_000_000)); // an EMF Timestamp from 2023
  now += 30_000;
  store.add(datum('Next', now));
  assert.equal(
    store.all().map((d) => d.name),
    ['WrittenLongAgo', 'Next'],
  );
});

test('LambdaRuntime: metrics, log lines, invocation records and the concurrency timeline keep the window; listeners see everything', async () => {
  let now = Date.now();
  const runtime = new LambdaRuntime({ retentionMs: 1000, now: () => now });
  try {
    assert.is(runtime.retentionMs, 1000);
    const seenMetrics: MetricDatum[] = [];
    const seenLogs: string[] = [];
    let seenInvocations = 0;
    runtime.metrics.onMetric((d) => seenMetrics.push(d));
    runtime.onLog((line) => seenLogs.push(line.requestId));
    runtime.onInvocation(() => seenInvocations++);
    const fn = runtime.createFunction({ name: 'emf', bundleFile: fixture('emf') });
    const first = await fn.invoke({ processed: 3, durations: [12, 15, 20] });
    assert.is(first.outcome, 'ok');
    assert.ok(runtime.metrics.find({ requestId: first.requestId }).length > 0);
    assert.ok(runtime.logs.find({ requestId: first.requestId }).length > 0);
    assert.is(runtime.invocations.all().length, 1);
    assert.is(runtime.concurrencyTimeline.length, 2);

    now += 5000; // the first invocation's data are now 5 s old, beyond the 1 s window
    const second = await fn.invoke({ processed: 1, durations: [7] });
    assert.is(second.outcome, 'ok');
    assert.equal(runtime.metrics.find({ requestId: first.requestId }), [], 'metrics of the first invocation expired');
    assert.ok(first.metrics.length > 0 && first.metrics.every((d) => d.requestId === first.requestId), 'its result still carries them');
    assert.equal(runtime.logs.find({ requestId: first.requestId }), [], 'log lines of the first invocation expired');
    assert.equal(
      runtime.invocations.all().map((r) => r.requestId),
      [second.requestId],
    );
    assert.is(runtime.concurrencyTimeline.length, 2, "only the second invocation's acquire and release");
    assert.ok(runtime.metrics.find({ requestId: second.requestId }).length > 0);
    assert.is(runtime.metrics.sum({ namespace: 'Fixture', name: 'EventsProcessed', dimensions: { Lab: 'lab1' } }), 1);

    // The listeners saw both invocations.
    assert.ok(seenMetrics.some((d) => d.requestId === first.requestId) && seenMetrics.some((d) => d.requestId === second.requestId));
    assert.ok(seenLogs.includes(first.requestId) && seenLogs.includes(second.requestId));
    assert.is(seenInvocations, 2);
    assert.throws(() => new LambdaRuntime({ retentionMs: -1 }), /retentionMs -1 is not valid/);
  } finally {
    await runtime.close();
  }
});

test("sendDelaysOf: a producer run's SendDelay values come from its own invocation, whatever the stores' window", () => {
  const metric = (namespace: string, name: string, values: number[]): MetricDatum => ({
    namespace,
    name,
    unit: 'Milliseconds',
    dimensions: {},
    values,
    timestamp: 0,
    storageResolution: 60,
    functionName: 'producer',
    requestId: 'r1',
  });
  const result = {
    metrics: [
      metric('KafkaLambdaWorkshop', 'SendDelay', [3, 4]),
      metric('KafkaLambdaWorkshop', 'EventsPublished', [100]),
      metric('Other', 'SendDelay', [99]),
      metric('KafkaLambdaWorkshop', 'SendDelay', [5]),
    ],
  };
  assert.equal(sendDelaysOf(result), [3, 4, 5]);
});

test.run();
