// Captured stdout/stderr: EMF lines become metrics, other lines are logs attributed to the
// invocation that wrote them, also under concurrency.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { emfMetrics, isEmfDocument, LambdaRuntime, type LogLine, type MetricDatum } from '../../../sandbox/lambda-runtime/index.ts';
import { fixture, sleep } from './fixtures.ts';

test('EMF lines become metrics (every dimension set, the array-of-values form) and are not kept as logs', async () => {
  const runtime = new LambdaRuntime();
  try {
    const seen: MetricDatum[] = [];
    runtime.metrics.onMetric((datum) => seen.push(datum));
    const fn = runtime.createFunction({ name: 'emf', bundleFile: fixture('emf') });
    const result = await fn.invoke({ processed: 3, durations: [12, 15, 20] });
    assert.is(result.outcome, 'ok');
    const fixtureMetrics = runtime.metrics.find({ namespace: 'Fixture' });
    assert.is(fixtureMetrics.length, 4, '2 metrics x 2 dimension sets');
    const processed = runtime.metrics.find({ namespace: 'Fixture', name: 'EventsProcessed', dimensions: { service: 'fixture' } });
    assert.equal(
      processed.map((d) => d.dimensions),
      [{ service: 'fixture' }, { service: 'fixture', Lab: 'lab1' }],
    );
    assert.equal(processed[0].values, [3]);
    assert.is(processed[0].unit, 'Count');
    assert.is(processed[0].timestamp, 1_700_000_000_000);
    assert.is(processed[0].functionName, 'emf');
    assert.is(processed[0].requestId, result.requestId);
    assert.is(processed[0].storageResolution, 60);
    const durations = runtime.metrics.find({ namespace: 'Fixture', name: 'EndToEndDuration', dimensions: { Lab: 'lab1' } });
    assert.is(durations.length, 1);
    assert.equal(durations[0].values, [12, 15, 20]);
    assert.is(durations[0].unit, 'Milliseconds');
    assert.is(durations[0].storageResolution, 1);
    assert.equal(runtime.metrics.values({ namespace: 'Fixture', name: 'EndToEndDuration', dimensions: { Lab: 'lab1' } }), [12, 15, 20]);
    assert.is(runtime.metrics.sum({ namespace: 'Fixture', name: 'EventsProcessed', dimensions: { Lab: 'lab1' } }), 3);
    assert.ok(seen.some((d) => d.namespace === 'Fixture'));

    assert.equal(
      result.logs.map((l) => l.text),
      ['plain text line', '{"level":"INFO","message":"batch processed","batchSize":3}'],
    );
    assert.is(result.logs[0].json, undefined);
    assert.equal(result.logs[1].json, { level: 'INFO', message: 'batch processed', batchSize: 3 });
    assert.not.ok(runtime.logs.all().some((l) => l.text.includes('_aws')));
  } finally {
    await runtime.close();
  }
});

test('logs are attributed to the invocation that wrote them, under concurrency; INIT lines go to the cold start', async () => {
  const runtime = new LambdaRuntime();
  try {
    const streamed: LogLine[] = [];
    const stop = runtime.onLog((line) => streamed.push(line));
    const fn = runtime.createFunction({ name: 'counter', bundleFile: fixture('counter') });
    const invoke = (tag: string, ms: number) => fn.invoke({ tag, ms });
    // Interleaved: the lines of different invocations arrive mixed in time.
    const first = await Promise.all(Array.from({ length: 8 }, (_, i) => invoke(`a${i}`, 10 + ((i * 37) % 80))));
    const second = await Promise.all(Array.from({ length: 8 }, (_, i) => invoke(`b${i}`, 10 + ((i * 53) % 80))));
    for (const result of [...first, ...second]) {
      const tag = (result.response as { tag: string }).tag;
      const lines = result.logs.filter((l) => !l.text.startsWith('init '));
      assert.equal(
        lines.map((l) => l.text),
        [`start ${tag} ${result.requestId}`, `end ${tag} ${result.requestId}`],
      );
      assert.equal(
        lines.map((l) => l.stream),
        ['stdout', 'stderr'],
      );
      assert.ok(result.logs.every((l) => l.requestId === result.requestId && l.logStreamName === result.logStreamName));
      assert.equal(
        runtime.logs.find({ requestId: result.requestId }).map((l) => l.text),
        result.logs.map((l) => l.text),
      );
    }
    for (const result of first) {
      const environmentId = (result.response as { environmentId: string }).environmentId;
      assert.is(result.logs[0].text, `init ${environmentId}`, 'the INIT line belongs to the cold-start invocation');
    }
    assert.ok(second.every((r) => !r.coldStart && !r.logs.some((l) => l.text.startsWith('init '))));
    assert.is(streamed.length, 8 * 3 + 8 * 2);
    stop();
    await invoke('c', 0);
    assert.is(streamed.length, 8 * 3 + 8 * 2, 'unsubscribed');
  } finally {
    await runtime.close();
  }
});

test('a line written after the response belongs to the invocation that started it; partial lines are flushed', async () => {
  const runtime = new LambdaRuntime();
  try {
    const fn = runtime.createFunction({ name: 'late', bundleFile: fixture('late-log') });
    const first = await fn.invoke({ lateMs: 30 });
    assert.equal(
      first.logs.map((l) => l.text),
      ['no newline at the end'],
    );
    await sleep(80);
    const late = runtime.logs.find({ functionName: 'late' }).find((l) => l.text.startsWith('late'));
    assert.ok(late, 'the late line was captured');
    assert.is(late!.text, `late from ${first.requestId}`);
    assert.is(late!.requestId, first.requestId);
    const second = await fn.invoke({ lateMs: 1000 });
    assert.not.ok(second.logs.some((l) => l.text.startsWith('late')));
  } finally {
    await runtime.close();
  }
});

test('EMF parsing: not EMF, no dimensions, missing or invalid values', () => {
  assert.not.ok(isEmfDocument({ message: 'hello' }));
  assert.not.ok(isEmfDocument({ _aws: { Timestamp: 1 } }));
  assert.not.ok(isEmfDocument([1, 2]));
  const doc = {
    _aws: {
      Timestamp: 5,
      CloudWatchMetrics: [{ Namespace: 'N', Dimensions: [], Metrics: [{ Name: 'A' }, { Name: 'B', Unit: 'Count' }, { Name: 'C' }, 'junk'] }],
    },
    A: 1.5,
    B: 'not a number',
    C: [1, 'x', 2],
  };
  assert.ok(isEmfDocument(doc));
  assert.equal(emfMetrics(doc), [
    { namespace: 'N', name: 'A', unit: 'None', dimensions: {}, values: [1.5], timestamp: 5, storageResolution: 60 },
    { namespace: 'N', name: 'C', unit: 'None', dimensions: {}, values: [1, 2], timestamp: 5, storageResolution: 60 },
  ]);
});

test.run();
