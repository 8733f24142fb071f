// Execution environments: cold and warm starts, one environment per concurrent invocation, module
// isolation, the Lambda context, process.env, handler styles, close().
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LambdaRuntime } from '../../../sandbox/lambda-runtime/index.ts';
import { fixture, sleep, threadCount } from './fixtures.ts';

interface CounterResponse {
  environmentId: string;
  invocations: number;
  tag: string | null;
}

test('the first invoke cold-starts (init duration), the next one reuses the warm environment', async () => {
  const runtime = new LambdaRuntime();
  try {
    const fn = runtime.createFunction({ name: 'counter', bundleFile: fixture('counter') });
    const cold = await fn.invoke({ tag: 'a' });
    const warm = await fn.invoke({ tag: 'b' });
    assert.is(cold.outcome, 'ok');
    assert.ok(cold.coldStart);
    assert.type(cold.initDurationMs, 'number');
    assert.ok(cold.initDurationMs! > 0);
    assert.ok(cold.billedDurationMs >= Math.ceil(cold.durationMs));
    assert.is(warm.outcome, 'ok');
    assert.not.ok(warm.coldStart);
    assert.is(warm.initDurationMs, undefined);
    assert.not.ok('initDurationMs' in warm);
    const [first, second] = [cold.response, warm.response] as CounterResponse[];
    assert.is(second.environmentId, first.environmentId);
    assert.is(first.invocations, 1);
    assert.is(second.invocations, 2, 'module state survives between warm invocations');
    assert.is(warm.logStreamName, cold.logStreamName);
    assert.is(fn.environmentCount, 1);
  } finally {
    await runtime.close();
  }
});

test('N concurrent invokes run in N environments with independent module state, then are reused', async () => {
  const runtime = new LambdaRuntime();
  try {
    const fn = runtime.createFunction({ name: 'counter', bundleFile: fixture('counter') });
    const round = () => Promise.all(Array.from({ length: 5 }, (_, i) => fn.invoke({ tag: `t${i}`, ms: 150 })));
    const pending = round();
    assert.is(fn.concurrency, 5, 'admission is synchronous');
    const first = await pending;
    assert.is(fn.concurrency, 0);
    assert.is(fn.peakConcurrency, 5);
    assert.is(fn.environmentCount, 5);
    assert.is(fn.idleEnvironmentCount, 5);
    const firstIds = first.map((r) => (r.response as CounterResponse).environmentId);
    assert.is(new Set(firstIds).size, 5, 'one environment per concurrent invocation');
    assert.ok(first.every((r) => r.coldStart && (r.response as CounterResponse).invocations === 1));
    assert.is(new Set(first.map((r) => r.logStreamName)).size, 5);

    const second = await round();
    assert.is(fn.environmentCount, 5, 'no new environment while idle ones exist');
    assert.ok(second.every((r) => !r.coldStart && (r.response as CounterResponse).invocations === 2));
    assert.equal(new Set(second.map((r) => (r.response as CounterResponse).environmentId)), new Set(firstIds));

    // Sequential invokes keep using one warm environment (the most recently used).
    const a = await fn.invoke({ tag: 'seq' });
    const b = await fn.invoke({ tag: 'seq' });
    assert.is(a.logStreamName, b.logStreamName);
    assert.is(fn.environmentCount, 5);
  } finally {
    await runtime.close();
  }
});

test('a new environment is created only when all are busy', async () => {
  const runtime = new LambdaRuntime();
  try {
    const fn = runtime.createFunction({ name: 'counter', bundleFile: fixture('counter') });
    await Promise.all([fn.invoke({ ms: 20 }), fn.invoke({ ms: 20 })]);
    assert.is(fn.environmentCount, 2);
    const long = fn.invoke({ ms: 200 });
    const short = await fn.invoke({ ms: 0 });
    assert.not.ok(short.coldStart, 'one environment was still idle');
    const third = fn.invoke({ ms: 50 });
    const fourth = await fn.invoke({ ms: 0 });
    assert.ok(fourth.coldStart, 'both environments were busy');
    await Promise.all([long, third]);
    assert.is(fn.environmentCount, 3);
  } finally {
    await runtime.close();
  }
});

test('the handler gets a Lambda-shaped context', async () => {
  const runtime = new LambdaRuntime();
  try {
    const fn = runtime.createFunction({ name: 'ctx-fn', bundleFile: fixture('context'), memoryMb: 256, timeoutSeconds: 2 });
    const result = await fn.invoke({ ms: 100 });
    const context = result.response as Record<string, unknown>;
    assert.is(context.awsRequestId, result.requestId);
    assert.match(result.requestId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.is(context.functionName, 'ctx-fn');
    assert.is(context.functionVersion, '$LATEST');
    assert.is(context.invokedFunctionArn, 'arn:aws:lambda:local:000000000000:function:ctx-fn');
    assert.is(context.memoryLimitInMB, '256');
    assert.is(context.logGroupName, '/aws/lambda/ctx-fn');
    assert.is(context.logStreamName, result.logStreamName);
    assert.match(String(context.logStreamName), /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    assert.is(context.callbackWaitsForEmptyEventLoop, true);
    const remaining = context.remainingMs as number;
    // The handler slept 100 ms; timers and Date.now() round to the millisecond, so allow a few.
    assert.ok(remaining <= 1905 && remaining > 1500, `getRemainingTimeInMillis counts down from the timeout (got ${remaining})`);
    const second = await fn.invoke({});
    const context2 = second.response as Record<string, unknown>;
    assert.is.not(context2.awsRequestId, context.awsRequestId);
    assert.ok((context2.remainingMs as number) > 1900, 'each invocation gets its own deadline');
  } finally {
    await runtime.close();
  }
});

test('prepared cold starts take threads started ahead, and each becomes its own function with its own env', async () => {
  process.env.ONLY_IN_THE_PARENT = 'leak';
  const runtime = new LambdaRuntime();
  try {
    const a = runtime.createFunction({ name: 'fn-a', bundleFile: fixture('context'), memoryMb: 256, env: { WHO: 'a' } });
    const b = runtime.createFunction({ name: 'fn-b', bundleFile: fixture('context'), memoryMb: 256, env: { WHO: 'b' } });
    const before = threadCount();
    await runtime.prepareColdStarts([
      { fn: a, environments: 3 },
      { fn: b, environments: 2 },
    ]);
    if (before !== undefined) assert.ok(threadCount()! >= before + 5, 'five runtime threads started before any invoke');
    const vars = ['WHO', 'ONLY_IN_THE_PARENT', 'AWS_LAMBDA_FUNCTION_NAME', 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE'];
    const results = await Promise.all([...[1, 2, 3].map(() => a.invoke({ vars, ms: 50 })), ...[1, 2].map(() => b.invoke({ vars, ms: 50 }))]);
    const envs = results.map((r) => (r.response as { env: Record<string, string | null> }).env);
    assert.equal(
      envs.map((e) => e.WHO),
      ['a', 'a', 'a', 'b', 'b'],
    );
    assert.equal(
      envs.map((e) => e.AWS_LAMBDA_FUNCTION_NAME),
      ['fn-a', 'fn-a', 'fn-a', 'fn-b', 'fn-b'],
    );
    assert.ok(envs.every((e) => e.ONLY_IN_THE_PARENT === null && e.AWS_LAMBDA_FUNCTION_MEMORY_SIZE === '256'));
    assert.ok(
      results.every((r) => r.coldStart && r.initDurationMs! > 0),
      'still cold starts, with their INIT measured',
    );
    assert.is(a.environmentCount + b.environmentCount, 5);
    if (before !== undefined) assert.ok(threadCount()! <= before + 5 + 1, 'the cold starts used the prepared threads, not new ones');
  } finally {
    delete process.env.ONLY_IN_THE_PARENT;
    await runtime.close();
  }
});

test('process.env is the function environment plus the variables Lambda defines', async () => {
  process.env.ONLY_IN_THE_PARENT = 'leak';
  const runtime = new LambdaRuntime();
  try {
    const fn = runtime.createFunction({
      name: 'env-fn',
      bundleFile: fixture('context'),
      memoryMb: 512,
      env: { PROCESSING_MS_PER_RECORD: '5', LAB_ID: 'lab2' },
    });
    const vars = [
      'PROCESSING_MS_PER_RECORD',
      'LAB_ID',
      'ONLY_IN_THE_PARENT',
      'AWS_LAMBDA_FUNCTION_NAME',
      'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
      'AWS_LAMBDA_FUNCTION_VERSION',
      'AWS_REGION',
      'AWS_LAMBDA_LOG_GROUP_NAME',
      'AWS_LAMBDA_LOG_STREAM_NAME',
      'AWS_EXECUTION_ENV',
      '_HANDLER',
    ];
    const result = await fn.invoke({ vars });
    const env = (result.response as { env: Record<string, string | null> }).env;
    assert.is(env.PROCESSING_MS_PER_RECORD, '5');
    assert.is(env.LAB_ID, 'lab2');
    assert.is(env.ONLY_IN_THE_PARENT, null, 'the parent process environment does not leak in');
    assert.is(env.AWS_LAMBDA_FUNCTION_NAME, 'env-fn');
    assert.is(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, '512');
    assert.is(env.AWS_LAMBDA_FUNCTION_VERSION, '$LATEST');
    assert.is(env.AWS_REGION, 'us-east-1');
    assert.is(env.AWS_LAMBDA_LOG_GROUP_NAME, '/aws/lambda/env-fn');
    assert.is(env.AWS_LAMBDA_LOG_STREAM_NAME, result.logStreamName);
    assert.is(env.AWS_EXECUTION_ENV, 'AWS_Lambda_nodejs22.x');
    assert.is(env._HANDLER, 'index.handler');
    assert.throws(
      () => runtime.createFunction({ name: 'bad-env', bundleFile: fixture('context'), env: { AWS_REGION: 'eu-west-1' } }),
      /AWS_REGION.*reserves.*region option/,
    );
  } finally {
    delete process.env.ONLY_IN_THE_PARENT;
    await runtime.close();
  }
});

test('callback-style handlers are supported; a synchronous handler answers null like Lambda', async () => {
  const runtime = new LambdaRuntime();
  try {
    const callback = runtime.createFunction({ name: 'callback', bundleFile: fixture('callback') });
    assert.equal((await callback.invoke({ n: 21 })).response, { doubled: 42 });
    const failed = await callback.invoke({ fail: true });
    assert.is(failed.outcome, 'error');
    assert.is(failed.error?.errorMessage, 'callback failure');
    const sync = runtime.createFunction({ name: 'sync', bundleFile: fixture('sync') });
    const answer = await sync.invoke({});
    assert.is(answer.outcome, 'ok');
    assert.is(answer.response, null);
  } finally {
    await runtime.close();
  }
});

test('invalid function settings are refused with the allowed range', async () => {
  const runtime = new LambdaRuntime();
  try {
    assert.throws(() => runtime.createFunction({ name: 'm', bundleFile: fixture('noop'), memoryMb: 64 }), /128 to 10240/);
    assert.throws(() => runtime.createFunction({ name: 't', bundleFile: fixture('noop'), timeoutSeconds: 901 }), /at most 900/);
    assert.throws(() => runtime.createFunction({ name: 'bad name!', bundleFile: fixture('noop') }), /letters, digits/);
    assert.throws(() => runtime.createFunction({ name: 'missing', bundleFile: '/nonexistent/index.mjs' }), /does not exist: build it first/);
    runtime.createFunction({ name: 'dup', bundleFile: fixture('noop') });
    assert.throws(() => runtime.createFunction({ name: 'dup', bundleFile: fixture('noop') }), /already exists/);
  } finally {
    await runtime.close();
  }
});

test('close() terminates every worker thread, busy ones included, and later invokes are refused', async () => {
  const before = threadCount();
  const runtime = new LambdaRuntime();
  const fn = runtime.createFunction({ name: 'counter', bundleFile: fixture('counter'), timeoutSeconds: 30 });
  const hang = runtime.createFunction({ name: 'hangs', bundleFile: fixture('hangs'), timeoutSeconds: 30 });
  await Promise.all(Array.from({ length: 4 }, () => fn.invoke({ ms: 20 })));
  const running = hang.invoke({ busy: true });
  await sleep(100);
  if (before !== undefined) assert.ok(threadCount()! >= before + 5, `expected 5 more threads (before ${before}, now ${threadCount()})`);
  await runtime.close();
  const interrupted = await running;
  assert.is(interrupted.outcome, 'error');
  assert.is(interrupted.error?.errorType, 'LocalRuntimeClosed');
  assert.is(fn.environmentCount, 0);
  assert.is(runtime.concurrency, 0);
  if (before !== undefined) {
    // Thread exit is asynchronous at the OS level: give it a moment.
    for (let i = 0; i < 50 && threadCount()! > before; i++) await sleep(20);
    assert.ok(threadCount()! <= before, `threads left running: before ${before}, after ${threadCount()}`);
  }
  const late = await fn.invoke({});
  assert.is(late.outcome, 'error');
  assert.is(late.error?.errorType, 'LocalRuntimeClosed');
  assert.throws(() => runtime.createFunction({ name: 'x', bundleFile: fixture('noop') }), /closed/);
});

test('memoryUsage: the V8 heaps of the live environments, busy ones included (a diagnostic for npm run soak)', async () => {
  const runtime = new LambdaRuntime();
  try {
    assert.equal(await runtime.memoryUsage(), { environments: 0, collected: false, heapUsedBytes: 0, heapTotalBytes: 0, externalBytes: 0, byFunction: {} });
    const fn = runtime.createFunction({ name: 'counter', bundleFile: fixture('counter') });
    await Promise.all([fn.invoke({}), fn.invoke({})]);
    const busy = fn.invoke({ ms: 300 }); // answered between the handler's own tasks
    await sleep(50);
    const memory = await runtime.memoryUsage({ gc: true });
    assert.is(memory.environments, 2);
    assert.ok(memory.heapUsedBytes > 1_000_000 && memory.heapUsedBytes <= memory.heapTotalBytes, `${memory.heapUsedBytes} of ${memory.heapTotalBytes}`);
    // This test process runs without --expose-gc: no environment can collect, and says so.
    assert.is(memory.collected, false);
    assert.equal(memory.byFunction, { counter: { environments: 2, heapUsedBytes: memory.heapUsedBytes } });
    assert.is((await busy).outcome, 'ok');
  } finally {
    await runtime.close();
  }
  assert.equal((await runtime.memoryUsage()).environments, 0, 'closed: nothing left to ask');
});

test.run();
