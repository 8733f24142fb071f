import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KAFKA_POLLER_BYTES_PER_SEC } from '../../../labs/aws-limits.ts';
import { PollerThroughput, recordBytes } from '../../../sandbox/kafka-esm/poller-throughput.ts';
import { record } from './records.ts';

const MB = 1024 * 1024;

test('a poller reads 5 MB/s: a second of burst, then one batch per its share of the rate', () => {
  assert.is(KAFKA_POLLER_BYTES_PER_SEC, 5 * MB);
  const budget = new PollerThroughput();
  let now = 0;
  let read = 0;
  for (let step = 0; step < 1000; step++) {
    now += budget.waitMs(now);
    budget.spend(MB, now);
    read += MB;
    if (now >= 10_000) break;
  }
  // Ten seconds at 5 MB/s, plus the one second of burst at the start.
  assert.ok(read <= 61 * MB && read >= 55 * MB, `${read / MB} MB in ${now} ms`);
  assert.is(new PollerThroughput().waitMs(0), 0, 'a fresh poller starts at once');
});

test('a batch larger than a second of budget still starts, alone, and the next one waits it out', () => {
  const budget = new PollerThroughput();
  assert.is(budget.waitMs(0), 0);
  budget.spend(6 * MB, 0);
  assert.is(budget.waitMs(0), 200, '6 MB take 1.2 s at 5 MB/s, less the second of burst');
  assert.is(budget.waitMs(200), 0);
});

test('idle time is not saved up beyond the burst', () => {
  const budget = new PollerThroughput();
  budget.spend(MB, 0);
  budget.spend(MB, 60_000);
  assert.is(budget.waitMs(60_000), 0, 'one MB after a minute idle is within the burst');
  budget.spend(5 * MB, 60_000);
  assert.ok(budget.waitMs(60_000) > 0, 'six MB at once exceed one second of burst');
});

test('a record costs its key, value and header bytes', () => {
  const r = { ...record(0, 0, 0, 1000), headers: [{ trace: Buffer.alloc(10) }, { trace: Buffer.alloc(5) }] };
  assert.is(recordBytes(r), r.key!.length + 1000 + 5 + 10 + 5 + 5);
});

test.run();
