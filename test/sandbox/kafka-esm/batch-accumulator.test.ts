import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { INVOKE_PAYLOAD_LIMIT_BYTES as MAX_PAYLOAD_BYTES } from '../../../labs/aws-limits.ts';
import { BatchAccumulator } from '../../../sandbox/kafka-esm/batch-accumulator.ts';
import { record, records } from './records.ts';

test('the window counts from the first record, not from the last', () => {
  const acc = new BatchAccumulator({ batchSize: 100, windowMs: 500 });
  acc.push([record(0, 0, 1000)]);
  acc.push([record(0, 1, 1400)]);
  assert.is(acc.windowClosesAt(), 1500);
  assert.is(acc.takeBatch(1499), undefined);
  const batch = acc.takeBatch(1500)!;
  assert.is(batch.trigger, 'window');
  assert.equal(
    batch.records.map((r) => r.offset),
    [0, 1],
  );
});

test('the batch size fires before the window', () => {
  const acc = new BatchAccumulator({ batchSize: 10, windowMs: 500 });
  acc.push(records(0, 0, 9, 0));
  assert.is(acc.takeBatch(1), undefined);
  acc.push(records(0, 9, 5, 1));
  const batch = acc.takeBatch(1)!;
  assert.is(batch.trigger, 'size');
  assert.is(batch.records.length, 10);
  assert.is(acc.waiting(), 4);
});

test('the 6 MB payload fires before size and window', () => {
  const acc = new BatchAccumulator({ batchSize: 10000, windowMs: 300_000 });
  // 1 MB values grow to ~1.33 MB in base64: four fit in 6 MB, five do not.
  acc.push(records(0, 0, 6, 0, 1024 * 1024));
  const batch = acc.takeBatch(1)!;
  assert.is(batch.trigger, 'payload');
  assert.is(batch.records.length, 4);
  assert.ok(batch.payloadBytes <= MAX_PAYLOAD_BYTES);
});

test('window 0 invokes with what is there at once', () => {
  const acc = new BatchAccumulator({ batchSize: 100, windowMs: 0 });
  acc.push([record(3, 7, 50)]);
  const batch = acc.takeBatch(50)!;
  assert.is(batch.trigger, 'window');
  assert.is(batch.records.length, 1);
});

test('one payload may hold several partitions; a partition in flight lends nothing', () => {
  const acc = new BatchAccumulator({ batchSize: 100, windowMs: 0 });
  acc.push([...records(0, 0, 2, 0), ...records(1, 0, 2, 0)]);
  const first = acc.takeBatch(0)!;
  assert.equal(first.partitions.sort(), ['bookings-0', 'bookings-1']);
  acc.push([...records(0, 2, 1, 1), ...records(2, 0, 1, 1)]);
  const second = acc.takeBatch(1)!;
  assert.equal(second.partitions, ['bookings-2'], 'partition 0 is in flight: its record waits');
  acc.release(first.partitions);
  const third = acc.takeBatch(2)!;
  assert.equal(
    third.records.map((r) => [r.partition, r.offset]),
    [[0, 2]],
  );
});

test('records of a partition leave in offset order across batches', () => {
  const acc = new BatchAccumulator({ batchSize: 3, windowMs: 0 });
  acc.push(records(5, 100, 7, 0));
  const seen: number[] = [];
  for (let i = 0; i < 3; i++) {
    const batch = acc.takeBatch(0)!;
    seen.push(...batch.records.map((r) => r.offset));
    acc.release(batch.partitions);
  }
  assert.equal(seen, [100, 101, 102, 103, 104, 105, 106]);
});

test('requeue puts a batch back at the front of its partitions, in offset order', () => {
  const acc = new BatchAccumulator({ batchSize: 3, windowMs: 0 });
  acc.push(records(0, 0, 5));
  const batch = acc.takeBatch(0)!;
  assert.equal(
    batch.records.map((r) => r.offset),
    [0, 1, 2],
  );
  acc.requeue([...batch.records].reverse());
  acc.release(batch.partitions);
  assert.is(acc.waitingIn('bookings-0'), 5);
  assert.equal(
    acc.takeBatch(0)!.records.map((r) => r.offset),
    [0, 1, 2],
    'the same records first, in order',
  );
});

test.run();
