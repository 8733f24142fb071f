import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { messagesToDelete } from '../../sandbox/sqs-esm/batch-response.ts';
import { ProvisionedSqsScaling, StandardSqsScaling } from '../../sandbox/sqs-esm/concurrency-scaling.ts';

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

test('empty long polls scale back toward 5; pollers that keep up hold their concurrency', () => {
  const s = new StandardSqsScaling(100);
  s.allowed(0, 'backlog');
  s.allowed(60_000, 'backlog');
  assert.is(s.allowed(61_000, 'steady'), 100);
  assert.is(s.allowed(62_000, 'idle'), 95);
  assert.is(s.allowed(200_000, 'idle'), 5);
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

test.run();
