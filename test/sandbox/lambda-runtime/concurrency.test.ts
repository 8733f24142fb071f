// Concurrency accounting: reserved concurrency throttles exactly above its limit, the account pool
// is shared by all functions of a runtime, and the timeline records every change.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConcurrencyPool } from '../../../sandbox/lambda-runtime/concurrency.ts';
import { LambdaRuntime } from '../../../sandbox/lambda-runtime/index.ts';
import { fixture } from './fixtures.ts';

test('reserved concurrency: exactly the limit runs, every invoke above it is throttled without running', async () => {
  const runtime = new LambdaRuntime();
  try {
    const fn = runtime.createFunction({ name: 'reserved', bundleFile: fixture('counter'), reservedConcurrency: 3 });
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => fn.invoke({ tag: `r${i}`, ms: 150 })));
    const ok = results.filter((r) => r.outcome === 'ok');
    const throttled = results.filter((r) => r.outcome === 'throttled');
    assert.is(ok.length, 3);
    assert.is(throttled.length, 2);
    assert.equal(
      results.map((r) => r.outcome),
      ['ok', 'ok', 'ok', 'throttled', 'throttled'],
    );
    for (const r of throttled) {
      assert.is(r.error?.errorType, 'TooManyRequestsException');
      assert.is(r.error?.reason, 'ReservedFunctionConcurrentInvocationLimitExceeded');
      assert.match(r.error!.errorMessage, /^Rate Exceeded\./);
      assert.is(r.durationMs, 0);
      assert.is(r.logStreamName, undefined, 'nothing ran');
      assert.is(r.billedDurationMs, 0);
      assert.equal(r.logs, []);
    }
    assert.is(fn.environmentCount, 3);
    assert.is(fn.peakConcurrency, 3);
    const after = await fn.invoke({});
    assert.is(after.outcome, 'ok', 'capacity is given back when invocations end');
    assert.is(runtime.metrics.sum({ namespace: 'AWS/Lambda', name: 'Throttles', dimensions: { FunctionName: 'reserved' } }), 2);
    assert.is(runtime.invocations.find({ functionName: 'reserved', outcome: 'throttled' }).length, 2);
  } finally {
    await runtime.close();
  }
});

test('reserved concurrency 0 throttles every invoke', async () => {
  const runtime = new LambdaRuntime();
  try {
    const fn = runtime.createFunction({ name: 'off', bundleFile: fixture('noop'), reservedConcurrency: 0 });
    const result = await fn.invoke({});
    assert.is(result.outcome, 'throttled');
    assert.is(fn.environmentCount, 0);
  } finally {
    await runtime.close();
  }
});

test('the account pool is shared by the runtime; reservations are carved out of it', async () => {
  const runtime = new LambdaRuntime({ accountConcurrency: 5, minimumUnreservedConcurrency: 0 });
  try {
    const reserved = runtime.createFunction({ name: 'reserved', bundleFile: fixture('counter'), reservedConcurrency: 2 });
    const a = runtime.createFunction({ name: 'a', bundleFile: fixture('counter') });
    const b = runtime.createFunction({ name: 'b', bundleFile: fixture('counter') });
    const long = { ms: 200 };
    const running = [reserved.invoke(long), reserved.invoke(long), a.invoke(long), a.invoke(long), b.invoke(long)];
    assert.is(runtime.concurrency, 5);
    // a and b share 5 - 2 = 3 units, all in use; the reservation is full too.
    const throttledB = await b.invoke(long);
    const throttledA = await a.invoke(long);
    const throttledReserved = await reserved.invoke(long);
    assert.is(throttledB.outcome, 'throttled');
    assert.is(throttledB.error?.reason, 'ConcurrentInvocationLimitExceeded');
    assert.is(throttledA.error?.reason, 'ConcurrentInvocationLimitExceeded');
    assert.is(throttledReserved.error?.reason, 'ReservedFunctionConcurrentInvocationLimitExceeded');
    const done = await Promise.all(running);
    assert.ok(done.every((r) => r.outcome === 'ok'));
    assert.is(runtime.concurrency, 0);
    assert.is(runtime.peakConcurrency, 5);
    assert.is(a.peakConcurrency, 2);
    assert.is(b.peakConcurrency, 1);
    assert.is(reserved.peakConcurrency, 2);

    // With the reservation idle, unreserved functions still cannot use it.
    const four = await Promise.all([a.invoke(long), a.invoke(long), b.invoke(long), b.invoke(long)]);
    assert.equal(
      four.map((r) => r.outcome),
      ['ok', 'ok', 'ok', 'throttled'],
    );
  } finally {
    await runtime.close();
  }
});

test('separate runtimes are separate accounts', async () => {
  const one = new LambdaRuntime({ accountConcurrency: 1 });
  const two = new LambdaRuntime({ accountConcurrency: 1 });
  try {
    const f1 = one.createFunction({ name: 'f', bundleFile: fixture('counter') });
    const f2 = two.createFunction({ name: 'f', bundleFile: fixture('counter') });
    const results = await Promise.all([f1.invoke({ ms: 50 }), f2.invoke({ ms: 50 })]);
    assert.equal(
      results.map((r) => r.outcome),
      ['ok', 'ok'],
    );
  } finally {
    await Promise.all([one.close(), two.close()]);
  }
});

test('reservations must leave the unreserved minimum (AWS keeps 100)', async () => {
  const runtime = new LambdaRuntime();
  try {
    assert.throws(
      () => runtime.createFunction({ name: 'greedy', bundleFile: fixture('noop'), reservedConcurrency: 901 }),
      /reservedConcurrency 901 for greedy is not valid: use a whole number from 0 to 900/,
    );
    runtime.createFunction({ name: 'big', bundleFile: fixture('noop'), reservedConcurrency: 900 });
    assert.throws(() => runtime.createFunction({ name: 'one-more', bundleFile: fixture('noop'), reservedConcurrency: 1 }), /from 0 to 0/);
    assert.throws(() => runtime.createFunction({ name: 'frac', bundleFile: fixture('noop'), reservedConcurrency: 0.5 }), /whole number/);
    assert.throws(() => new LambdaRuntime({ accountConcurrency: 0 }), /accountConcurrency 0 is not valid/);
  } finally {
    await runtime.close();
  }
});

test('the concurrency timeline records every change', async () => {
  const runtime = new LambdaRuntime();
  try {
    const fn = runtime.createFunction({ name: 'timeline', bundleFile: fixture('counter') });
    await Promise.all([fn.invoke({ ms: 50 }), fn.invoke({ ms: 100 }), fn.invoke({ ms: 150 })]);
    const timeline = runtime.concurrencyTimeline;
    assert.equal(
      timeline.map((s) => s.concurrency),
      [1, 2, 3, 2, 1, 0],
    );
    assert.equal(
      timeline.map((s) => s.accountConcurrency),
      [1, 2, 3, 2, 1, 0],
    );
    assert.ok(timeline.every((s, i) => s.functionName === 'timeline' && (i === 0 || s.at >= timeline[i - 1].at)));
  } finally {
    await runtime.close();
  }
});

test('ConcurrencyPool refuses to release what was not acquired', () => {
  const pool = new ConcurrencyPool(10, 0);
  pool.register('f');
  assert.throws(() => pool.release('f'), /released more often than acquired/);
  assert.throws(() => pool.acquire('unknown'), /not registered/);
});

test.run();
