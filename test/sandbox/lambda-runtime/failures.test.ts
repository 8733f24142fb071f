// Failures: handler errors (environment stays warm), timeouts (environment discarded), crashes,
// INIT failures, out of memory.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LambdaRuntime } from '../../../sandbox/lambda-runtime/index.ts';
import { fixture, sleep } from './fixtures.ts';

test('a thrown error comes back as {errorType, errorMessage, stackTrace} and the environment stays warm', async () => {
  const runtime = new LambdaRuntime();
  try {
    const fn = runtime.createFunction({ name: 'throws', bundleFile: fixture('throws') });
    const failed = await fn.invoke({ fail: true, id: 42 });
    assert.is(failed.outcome, 'error');
    assert.is(failed.error?.errorType, 'BookingRejectedError');
    assert.is(failed.error?.errorMessage, 'booking 42 rejected');
    assert.ok(Array.isArray(failed.error?.stackTrace));
    assert.match(failed.error!.stackTrace[0], /^BookingRejectedError: booking 42 rejected/);
    assert.ok(failed.error!.stackTrace.some((line) => line.includes('throws.mjs')));
    assert.is(failed.response, undefined);
    assert.is(failed.logs.length, 1);
    assert.is(failed.logs[0].stream, 'stderr');
    assert.match(
      failed.logs[0].text,
      new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[^\\t]+Z\\t${failed.requestId}\\tERROR\\tInvoke Error \\t\\{"errorType":"BookingRejectedError"`),
    );
    const next = await fn.invoke({ fail: false });
    assert.is(next.outcome, 'ok');
    assert.not.ok(next.coldStart);
    assert.is(next.logStreamName, failed.logStreamName);
    assert.equal(next.response, { invocations: 2 });
  } finally {
    await runtime.close();
  }
});

test('a handler that never returns times out, and its environment is discarded', async () => {
  const runtime = new LambdaRuntime();
  try {
    const fn = runtime.createFunction({ name: 'hangs', bundleFile: fixture('hangs'), timeoutSeconds: 0.4 });
    const warmup = await fn.invoke({ hang: false });
    assert.equal(warmup.response, { invocations: 1 });
    const started = Date.now();
    const timedOut = await fn.invoke({});
    assert.is(timedOut.outcome, 'timeout');
    assert.is(timedOut.error?.errorType, 'Sandbox.Timedout');
    assert.match(timedOut.error!.errorMessage, new RegExp(`${timedOut.requestId} Task timed out after 0\\.40 seconds$`));
    assert.ok(Date.now() - started >= 395 && Date.now() - started < 2000);
    assert.ok(timedOut.durationMs >= 395);
    assert.is(timedOut.logs.length, 2);
    assert.is(timedOut.logs[0].text, 'about to hang', 'lines written before the timeout are kept');
    assert.is(timedOut.logs[1].text, timedOut.error!.errorMessage, 'Lambda logs the timeout');
    assert.is(fn.concurrency, 0);
    assert.is(fn.environmentCount, 0, 'the timed-out environment is gone');
    const after = await fn.invoke({ hang: false });
    assert.ok(after.coldStart, 'the next invoke cold-starts');
    assert.is.not(after.logStreamName, warmup.logStreamName);
    assert.equal(after.response, { invocations: 1 }, 'module state was reset');
  } finally {
    await runtime.close();
  }
});

test('a handler stuck in a busy loop also times out (the thread is terminated)', async () => {
  const runtime = new LambdaRuntime();
  try {
    const fn = runtime.createFunction({ name: 'busy', bundleFile: fixture('hangs'), timeoutSeconds: 0.3 });
    const result = await fn.invoke({ busy: true });
    assert.is(result.outcome, 'timeout');
    assert.match(result.error!.errorMessage, /Task timed out after 0\.30 seconds/);
    const next = await fn.invoke({ hang: false });
    assert.is(next.outcome, 'ok');
    assert.ok(next.coldStart);
  } finally {
    await runtime.close();
  }
});

test('unhandled rejections, uncaught exceptions and process.exit end the environment', async () => {
  const runtime = new LambdaRuntime();
  try {
    const cases = [
      { crash: 'rejection', errorType: 'Runtime.UnhandledPromiseRejection', message: /nobody awaited me/ },
      { crash: 'uncaught', errorType: 'TypeError', message: /thrown in a timer/ },
      { crash: 'exit', errorType: 'Runtime.ExitError', message: /exit status 3/ },
    ];
    for (const { crash, errorType, message } of cases) {
      const fn = runtime.createFunction({ name: `crash-${crash}`, bundleFile: fixture('crashes') });
      await fn.invoke({});
      const crashed = await fn.invoke({ crash });
      assert.is(crashed.outcome, 'error', crash);
      assert.is(crashed.error?.errorType, errorType, crash);
      assert.match(crashed.error!.errorMessage, message);
      if (crash !== 'exit')
        assert.ok(
          crashed.logs.some((l) => /\tERROR\t(Uncaught Exception|Unhandled Promise Rejection) \t/.test(l.text)),
          crash,
        );
      assert.is(fn.concurrency, 0);
      const next = await fn.invoke({});
      assert.ok(next.coldStart, `${crash}: a new environment replaces the crashed one`);
      assert.equal(next.response, { invocations: 1 });
    }
  } finally {
    await runtime.close();
  }
});

test('an environment that crashes while idle is not reused', async () => {
  const runtime = new LambdaRuntime();
  try {
    const fn = runtime.createFunction({ name: 'crash-later', bundleFile: fixture('crashes') });
    const answered = await fn.invoke({ crash: 'after-response' });
    assert.is(answered.outcome, 'ok');
    await sleep(100);
    const next = await fn.invoke({});
    assert.is(next.outcome, 'ok');
    assert.ok(next.coldStart);
    assert.equal(next.response, { invocations: 1 });
    assert.is(fn.environmentCount, 1);
  } finally {
    await runtime.close();
  }
});

test('INIT failures: a module that throws while loading, a missing handler export; init is retried', async () => {
  const runtime = new LambdaRuntime();
  try {
    const broken = runtime.createFunction({ name: 'init-fails', bundleFile: fixture('init-fails') });
    const first = await broken.invoke({});
    assert.is(first.outcome, 'error');
    assert.ok(first.coldStart);
    assert.type(first.initDurationMs, 'number');
    assert.is(first.error?.errorMessage, 'cannot load configuration');
    const second = await broken.invoke({});
    assert.ok(second.coldStart, 'a failed INIT leaves no environment behind');
    assert.is(broken.environmentCount, 0);

    const missing = runtime.createFunction({ name: 'no-handler', bundleFile: fixture('no-handler') });
    const result = await missing.invoke({});
    assert.is(result.error?.errorType, 'Runtime.HandlerNotFound');
    assert.is(result.error?.errorMessage, 'no-handler.handler is undefined or not exported');
    const other = runtime.createFunction({ name: 'other-export', bundleFile: fixture('no-handler'), handler: 'notTheHandler' });
    assert.is((await other.invoke({})).outcome, 'ok');
  } finally {
    await runtime.close();
  }
});

test('a handler that exhausts the function memory fails with Runtime.OutOfMemory', async () => {
  const runtime = new LambdaRuntime();
  try {
    const fn = runtime.createFunction({ name: 'oom', bundleFile: fixture('oom'), memoryMb: 128, timeoutSeconds: 20 });
    const result = await fn.invoke({});
    assert.is(result.outcome, 'error');
    assert.is(result.error?.errorType, 'Runtime.OutOfMemory');
    assert.match(result.error!.errorMessage, /128 MB/);
    assert.is(fn.environmentCount, 0);
  } finally {
    await runtime.close();
  }
});

test('every invoke leaves one record; AWS/Lambda metrics count invocations and errors', async () => {
  const runtime = new LambdaRuntime();
  try {
    const records: string[] = [];
    const stop = runtime.onInvocation((record) => records.push(`${record.functionName}:${record.outcome}`));
    const fn = runtime.createFunction({ name: 'throws', bundleFile: fixture('throws') });
    await fn.invoke({ fail: true, id: 1 }, { records: 3 });
    await fn.invoke({ fail: false }, { records: 2 });
    stop();
    await fn.invoke({ fail: false });
    assert.equal(records, ['throws:error', 'throws:ok']);
    const all = runtime.invocations.all();
    assert.is(all.length, 3);
    assert.is(all[0].records, 3);
    assert.is(all[1].records, 2);
    assert.is(all[2].records, undefined);
    assert.not.ok('logs' in all[0], 'the log keeps records, not the lines');
    assert.ok(all.every((r) => r.end >= r.start && r.durationMs >= 0));
    assert.is(runtime.metrics.sum({ namespace: 'AWS/Lambda', name: 'Invocations', dimensions: { FunctionName: 'throws' } }), 3);
    assert.is(runtime.metrics.sum({ namespace: 'AWS/Lambda', name: 'Errors', dimensions: { FunctionName: 'throws' } }), 1);
  } finally {
    await runtime.close();
  }
});

test.run();
