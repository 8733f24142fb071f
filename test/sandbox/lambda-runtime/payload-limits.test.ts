// Lambda's 6 MB synchronous payload limit (6,291,456 bytes of JSON), on both sides of the boundary,
// for the request and for the response.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { JsonPayload, LambdaRuntime, PAYLOAD_LIMIT_BYTES } from '../../../sandbox/lambda-runtime/index.ts';
import { fixture } from './fixtures.ts';

/** A string payload whose JSON (with its two quotes) is exactly `bytes` UTF-8 bytes. */
const payloadOf = (bytes: number, char = 'x') => char.repeat((bytes - 2) / Buffer.byteLength(char));

test('the limit is 6,291,456 bytes', () => {
  assert.is(PAYLOAD_LIMIT_BYTES, 6_291_456);
});

test('a request of exactly 6,291,456 bytes runs; one byte more is refused before anything runs', async () => {
  const runtime = new LambdaRuntime();
  try {
    const fn = runtime.createFunction({ name: 'sized', bundleFile: fixture('sized') });
    const atLimit = await fn.invoke(payloadOf(PAYLOAD_LIMIT_BYTES));
    assert.is(atLimit.outcome, 'ok');
    assert.is(atLimit.requestBytes, PAYLOAD_LIMIT_BYTES);
    assert.equal(atLimit.response, { requestChars: PAYLOAD_LIMIT_BYTES - 2 });

    const over = await fn.invoke(payloadOf(PAYLOAD_LIMIT_BYTES + 1));
    assert.is(over.outcome, 'error');
    assert.is(over.error?.errorType, 'RequestEntityTooLargeException');
    assert.match(over.error!.errorMessage, /smaller than 6291456 bytes.*6291457 bytes/);
    assert.is(over.logStreamName, undefined, 'no environment ran it');
    assert.is(over.durationMs, 0);
    assert.is(fn.environmentCount, 1);
    assert.is(runtime.concurrency, 0, 'a refused request takes no concurrency');
  } finally {
    await runtime.close();
  }
});

test('a payload given as UTF-8 JSON bytes arrives as that JSON, moved to the function rather than copied; its size is its length', async () => {
  const runtime = new LambdaRuntime();
  try {
    const fn = runtime.createFunction({ name: 'sized', bundleFile: fixture('sized') });
    const json = JSON.stringify('héllo');
    const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(json));
    bytes.write(json);
    const result = await fn.invoke(new JsonPayload(bytes));
    assert.is(result.outcome, 'ok');
    assert.equal(result.response, { requestChars: 5 });
    assert.is(result.requestBytes, 8);
    assert.is(bytes.buffer.byteLength, 0, 'the buffer went to the function thread');
    assert.throws(() => new JsonPayload(Buffer.from('"a slice of the shared pool"')), /a buffer of its own/);
  } finally {
    await runtime.close();
  }
});

test('the request size counts UTF-8 bytes, not characters', async () => {
  const runtime = new LambdaRuntime();
  try {
    const fn = runtime.createFunction({ name: 'sized', bundleFile: fixture('sized') });
    const atLimit = await fn.invoke(payloadOf(PAYLOAD_LIMIT_BYTES, 'é'));
    assert.is(atLimit.outcome, 'ok');
    const over = await fn.invoke(`${payloadOf(PAYLOAD_LIMIT_BYTES, 'é')}é`);
    assert.is(over.error?.errorType, 'RequestEntityTooLargeException');
    assert.is(over.requestBytes, PAYLOAD_LIMIT_BYTES + 2);
  } finally {
    await runtime.close();
  }
});

test('a response of exactly 6,291,456 bytes is returned; one byte more fails and the environment stays warm', async () => {
  const runtime = new LambdaRuntime();
  try {
    const fn = runtime.createFunction({ name: 'sized', bundleFile: fixture('sized') });
    const atLimit = await fn.invoke({ responseBytes: PAYLOAD_LIMIT_BYTES });
    assert.is(atLimit.outcome, 'ok');
    assert.is(atLimit.responseBytes, PAYLOAD_LIMIT_BYTES);
    assert.is((atLimit.response as string).length, PAYLOAD_LIMIT_BYTES - 2);

    const over = await fn.invoke({ responseBytes: PAYLOAD_LIMIT_BYTES + 1 });
    assert.is(over.outcome, 'error');
    assert.is(over.error?.errorType, 'Function.ResponseSizeTooLarge');
    assert.match(over.error!.errorMessage, /\(6291457 bytes\) exceeded maximum allowed payload size \(6291456 bytes\)/);
    assert.is(over.response, undefined);
    const next = await fn.invoke({ responseBytes: 10 });
    assert.not.ok(next.coldStart);
    assert.is(next.response, 'xxxxxxxx');
  } finally {
    await runtime.close();
  }
});

test('a payload that is not JSON-serializable is refused', async () => {
  const runtime = new LambdaRuntime();
  try {
    const fn = runtime.createFunction({ name: 'sized', bundleFile: fixture('sized') });
    const result = await fn.invoke({ n: 10n });
    assert.is(result.outcome, 'error');
    assert.is(result.error?.errorType, 'InvalidRequestContentException');
    assert.match(result.error!.errorMessage, /BigInt/);
  } finally {
    await runtime.close();
  }
});

test.run();
