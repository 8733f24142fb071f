import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  AWS_DEFAULT_FAILURE_RULES,
  decide,
  effectiveMaxRetries,
  type FailureRules,
  failedRecords,
  splitByAge,
} from '../../../sandbox/kafka-esm/failure-policy.ts';
import { record, records } from './records.ts';

const error = { kind: 'function-error', message: 'boom' } as const;
const rules = (over: Partial<FailureRules>): FailureRules => ({ ...AWS_DEFAULT_FAILURE_RULES, ...over });

test('success makes every record done', () => {
  const batch = records(0, 0, 3);
  const d = decide({ records: batch, retries: 0 }, { kind: 'success', response: null }, AWS_DEFAULT_FAILURE_RULES);
  assert.equal(d.done, batch);
  assert.equal(d.retry, []);
});

test('by default an error retries the whole batch, forever', () => {
  const batch = records(0, 0, 3);
  const d = decide({ records: batch, retries: 500 }, error, AWS_DEFAULT_FAILURE_RULES);
  assert.equal(d.retry, [{ records: batch, retries: 501 }]);
  assert.is(effectiveMaxRetries(AWS_DEFAULT_FAILURE_RULES), Infinity);
});

test('after MaximumRetryAttempts the records go to the destination', () => {
  const batch = records(0, 0, 2);
  const r = rules({ maximumRetryAttempts: 2, hasDestination: true });
  assert.is(decide({ records: batch, retries: 1 }, error, r).retry[0].retries, 2);
  const last = decide({ records: batch, retries: 2 }, error, r);
  assert.equal(last.discard, batch);
  assert.is(last.condition, 'RetryAttemptsExhausted');
});

test('infinite retries with a destination stop after 10', () => {
  assert.is(effectiveMaxRetries(rules({ maximumRetryAttempts: -1, hasDestination: true })), 10);
  assert.is(effectiveMaxRetries(rules({ maximumRetryAttempts: 0, hasDestination: true })), 0);
});

test('bisect splits a failed batch in two without using a retry', () => {
  const batch = records(0, 0, 5);
  const d = decide({ records: batch, retries: 1 }, error, rules({ bisectBatchOnFunctionError: true, maximumRetryAttempts: 3 }));
  assert.equal(
    d.retry.map((a) => [a.records.map((r) => r.offset), a.retries]),
    [
      [[0, 1, 2], 1],
      [[3, 4], 1],
    ],
  );
  const single = decide({ records: [batch[0]], retries: 1 }, error, rules({ bisectBatchOnFunctionError: true, maximumRetryAttempts: 3 }));
  assert.equal(single.retry, [{ records: [batch[0]], retries: 2 }], 'a single record cannot split: it retries');
});

test('a timeout is a failure like an error', () => {
  const d = decide({ records: records(0, 0, 1), retries: 0 }, { kind: 'timeout', message: 'Task timed out' }, AWS_DEFAULT_FAILURE_RULES);
  assert.is(d.retry.length, 1);
});

test('throttles retry without counting and without a destination', () => {
  const batch = records(0, 0, 2);
  const d = decide({ records: batch, retries: 2 }, { kind: 'throttled', message: 'Rate exceeded' }, rules({ maximumRetryAttempts: 2, hasDestination: true }));
  assert.ok(d.throttled);
  assert.equal(d.retry, [{ records: batch, retries: 2 }]);
  assert.equal(d.discard, []);
});

test('partial batch response: only the records the function names are retried', () => {
  const batch = [...records(0, 10, 4), ...records(1, 20, 3)];
  const response = {
    batchItemFailures: [{ itemIdentifier: { partition: 'bookings-0', offset: 12 } }, { itemIdentifier: { partition: 'bookings-1', offset: 21 } }],
  };
  const d = decide({ records: batch, retries: 0 }, { kind: 'success', response }, rules({ reportBatchItemFailures: true }));
  assert.equal(
    d.done.map((r) => `${r.partition}:${r.offset}`),
    ['0:10', '0:11', '0:13', '1:20', '1:22'],
  );
  assert.equal(
    d.retry[0].records.map((r) => `${r.partition}:${r.offset}`),
    ['0:12', '1:21'],
  );
  assert.is(d.retry[0].retries, 1);
  assert.is(d.ignoredResponse, undefined);
});

test('partial batch response is ignored unless ReportBatchItemFailures is on', () => {
  const batch = records(0, 0, 2);
  const d = decide(
    { records: batch, retries: 0 },
    { kind: 'success', response: { batchItemFailures: [{ itemIdentifier: 'bookings-0-0' }] } },
    AWS_DEFAULT_FAILURE_RULES,
  );
  assert.equal(d.done, batch);
});

test('an empty list or null is success; any shape but AWS\'s {partition: "<topic>-<n>", offset: <number>} fails the whole batch, with the reason', () => {
  const batch = records(0, 0, 2);
  assert.equal(failedRecords({ batchItemFailures: [] }, batch), new Set());
  assert.is(failedRecords({ batchItemFailures: null }, batch), undefined);
  assert.is(failedRecords(null, batch), undefined);
  assert.equal(failedRecords({ batchItemFailures: [{ itemIdentifier: { partition: 'bookings-0', offset: 1 } }] }, batch), new Set([batch[1]]));
  const ignored = [
    { itemIdentifier: '' },
    { itemIdentifier: 'bookings-0-1' },
    { itemIdentifier: { topic: 'bookings', partition: 0, offset: 1 } },
    { itemIdentifier: { partition: 'bookings-0', offset: '1' } },
    { itemIdentifier: { partition: 'bookings-0', offset: 99 } },
    { itemIdentifier: null },
    { itemId: { partition: 'bookings-0', offset: 1 } },
  ];
  for (const failure of ignored) {
    const reported = failedRecords({ batchItemFailures: [failure] }, batch);
    assert.ok(reported !== undefined && !(reported instanceof Set), JSON.stringify(failure));
    assert.match((reported as { reason: string }).reason, 'names no record of the batch');
    const d = decide({ records: batch, retries: 0 }, { kind: 'success', response: { batchItemFailures: [failure] } }, rules({ reportBatchItemFailures: true }));
    assert.equal(d.retry[0].records, batch, `${JSON.stringify(failure)}: the whole batch is retried`);
    assert.ok(d.ignoredResponse, 'and the decision says why');
  }
  assert.match((failedRecords({ batchItemFailures: 'bookings-0-1' }, batch) as { reason: string }).reason, 'not a list');
});

test('the key of an earlier version of AWS\'s page, "topic-partition", fails the batch with a warning naming the change', () => {
  const batch = records(0, 0, 2);
  const older = failedRecords({ batchItemFailures: [{ itemIdentifier: { 'topic-partition': 'bookings-0', offset: 1 } }] }, batch) as { reason: string };
  assert.match(older.reason, 'its key "topic-partition" is from an earlier version of AWS\'s page, which now names it "partition"');
  const other = failedRecords({ batchItemFailures: [{ itemIdentifier: { partition: 'bookings-0', offset: 99 } }] }, batch) as { reason: string };
  assert.not.match(other.reason, 'topic-partition', 'only when that is the key sent');
});

test('records older than MaximumRecordAgeInSeconds are not invoked', () => {
  const old = record(0, 0, 0);
  const young = record(0, 1, 59_000);
  const split = splitByAge([old, young], 61_000, rules({ maximumRecordAgeSeconds: 60 }));
  assert.equal(split.expired, [old]);
  assert.equal(split.fresh, [young]);
  assert.equal(splitByAge([old], 10 ** 12, AWS_DEFAULT_FAILURE_RULES).expired, []);
});

test.run();
