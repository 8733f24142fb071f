import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PAYLOAD_LIMIT_BYTES } from '../../../sandbox/lambda-runtime/payload-limit.ts';
import { messagesToDelete } from '../../../sandbox/sqs-esm/batch-response.ts';
import { ProvisionedSqsScaling, StandardSqsScaling } from '../../../sandbox/sqs-esm/concurrency-scaling.ts';
import { cutAtPayloadLimit } from '../../../sandbox/sqs-esm/payload-cut.ts';

test('standard SQS scaling: 5 at start, +300 per minute while messages wait, up to 1,250', () => {
  const s = new StandardSqsScaling(undefined);
  assert.is(s.allowed(0, 'backlog'), 5);
  assert.is(s.allowed(60_000, 'backlog'), 305);
  assert.is(s.allowed(120_000, 'backlog'), 605);
  assert.is(s.allowed(600_000, 'backlog'), 1250);
});

test('standard SQS scaling stops at MaximumConcurrency and only grows with a backlog', () => {
  const s = new StandardSqsScaling(40);
  s.allowed(0, 'idle');
  assert.is(s.allowed(60_000, 'idle'), 5, 'no backlog: no growth');
  assert.is(s.allowed(61_000, 'steady'), 5, 'keeping up: no change');
  assert.is(s.allowed(62_000, 'backlog'), 10, '1 s of backlog: +5');
  assert.is(s.allowed(200_000, 'backlog'), 40);
  const tiny = new StandardSqsScaling(2);
  assert.is(tiny.allowed(0, 'backlog'), 2, 'MaximumConcurrency below 5 caps the start');
});

test('timeScale compresses the minute', () => {
  const s = new StandardSqsScaling(undefined, 60);
  s.allowed(0, 'backlog');
  assert.is(s.allowed(1_000, 'backlog'), 305);
});

test('empty long polls scale back to 5 with MaximumConcurrency set; pollers that keep up hold their concurrency', () => {
  const s = new StandardSqsScaling(100);
  s.allowed(0, 'backlog');
  s.allowed(60_000, 'backlog');
  assert.is(s.allowed(61_000, 'steady'), 100);
  assert.is(s.allowed(62_000, 'idle'), 95);
  assert.is(s.allowed(200_000, 'idle'), 5, 'MaximumConcurrency set: never below 5');
});

test('without MaximumConcurrency an idle queue scales down to 2, and a backlog starts the climb again', () => {
  const s = new StandardSqsScaling(undefined);
  assert.is(s.allowed(0, 'idle'), 5, 'starts at 5');
  assert.is(s.allowed(1_000, 'idle'), 2, 'as low as 2');
  assert.is(s.allowed(600_000, 'idle'), 2);
  assert.is(s.allowed(601_000, 'backlog'), 7);
});

test('provisioned SQS: 10 concurrent invokes per poller, minimum to maximum', () => {
  const s = new ProvisionedSqsScaling(2, 5);
  assert.is(s.allowed(0, 'backlog'), 20);
  assert.is(s.pollers(), 2);
  assert.is(s.allowed(60_000, 'backlog'), 50);
  assert.is(s.pollers(), 5);
});

test('partial batch response deletes only the successes', () => {
  const ids = ['a', 'b', 'c'];
  assert.equal(messagesToDelete(ids, { kind: 'success', response: null }, true), ids);
  assert.equal(messagesToDelete(ids, { kind: 'success', response: { batchItemFailures: [{ itemIdentifier: 'b' }] } }, true), ['a', 'c']);
  assert.equal(messagesToDelete(ids, { kind: 'success', response: { batchItemFailures: [{ itemIdentifier: 'b' }] } }, false), ids, 'ignored unless enabled');
  assert.equal(messagesToDelete(ids, { kind: 'success', response: { batchItemFailures: [{ itemIdentifier: 'zz' }] } }, true), [], 'unknown id fails the batch');
  assert.equal(messagesToDelete(ids, { kind: 'success', response: { batchItemFailures: [{ itemIdentifier: '' }] } }, true), []);
  assert.equal(messagesToDelete(ids, { kind: 'function-error', message: 'x' }, true), []);
  assert.equal(messagesToDelete(ids, { kind: 'timeout', message: 'x' }, true), []);
});

test('an SQS batch is cut at the 6 MB invoke payload; the rest waits for the next batch, in order', () => {
  const record = (i: number) => ({ messageId: `m${i}`, body: 'x'.repeat(1024 * 1024 - 200) });
  const records = Array.from({ length: 10 }, (_, i) => record(i));
  const { batch, rest } = cutAtPayloadLimit(records);
  assert.is(batch.length, 6, 'six messages of about 1 MiB fit in 6 MB, the seventh does not');
  assert.ok(Buffer.byteLength(JSON.stringify({ Records: batch })) <= PAYLOAD_LIMIT_BYTES);
  assert.ok(Buffer.byteLength(JSON.stringify({ Records: records.slice(0, 7) })) > PAYLOAD_LIMIT_BYTES);
  assert.equal(
    rest.map((r) => r.messageId),
    ['m6', 'm7', 'm8', 'm9'],
  );
  assert.is(cutAtPayloadLimit([{ body: 'x'.repeat(7 * 1024 * 1024) }]).batch.length, 1, 'one record always goes (the invoke then reports the size)');
  assert.equal(cutAtPayloadLimit([]), { batch: [], rest: [] });
});

test.run();
