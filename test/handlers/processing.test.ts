import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { processRecords, type Schedule } from '../../handlers/shared/processing.ts';

const records = [
  { key: 'A', id: 'A1' },
  { key: 'B', id: 'B1' },
  { key: 'A', id: 'A2' },
  { key: 'C', id: 'C1' },
  { key: 'B', id: 'B2' },
  { key: 'A', id: 'A3' },
];
const MS = 25;

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await fn();
  return [result, performance.now() - started];
}

test('sequential: one record after another, awaited (not spun)', async () => {
  const [outcomes, elapsed] = await timed(() => processRecords(records, { processingMsPerRecord: MS, mode: 'sequential' }));
  assert.ok(outcomes.every((o) => o.status === 'processed'));
  assert.ok(elapsed >= 6 * MS - 2, `elapsed ${elapsed}: each record waited its turn`);
  const times = outcomes.map((o) => (o.status === 'processed' ? o.completedAt : NaN));
  for (let i = 1; i < times.length; i++) assert.ok(times[i] >= times[i - 1]);
});

test('parallel-by-key: keys overlap, so the batch takes as long as its longest key', async () => {
  // Structure, not a wall-clock ceiling (a busy machine stretches timers): every key runs at once,
  // one record per key at a time, and the batch ends with the last record of the longest key.
  let running = 0;
  let peak = 0;
  const finished: string[] = [];
  const [outcomes, elapsed] = await timed(() =>
    processRecords(records, {
      processingMsPerRecord: 0,
      mode: 'parallel-by-key',
      work: async (record) => {
        peak = Math.max(peak, ++running);
        await sleep(MS);
        running--;
        finished.push((record as (typeof records)[number]).id);
      },
    }),
  );
  assert.ok(outcomes.every((o) => o.status === 'processed'));
  assert.is(peak, 3, 'keys A, B and C ran at the same time, never two records of one key');
  assert.is(finished.at(-1), 'A3', 'key A, with 3 records, finishes last');
  // Key A's 3 records run one after another: at least 3 x MS, where sequential takes 6 x MS.
  assert.ok(elapsed >= 3 * MS - 2, `elapsed ${elapsed}`);
});

test('cpu work never overlaps: parallel-by-key schedules by key, but the records take turns on the one thread', async () => {
  let running = 0;
  let peak = 0;
  const run = (workKind: 'cpu' | 'io') =>
    processRecords(records, {
      processingMsPerRecord: 0,
      mode: 'parallel-by-key',
      workKind,
      work: async () => {
        peak = Math.max(peak, ++running);
        await sleep(MS);
        running--;
      },
    });
  const [cpu, cpuMs] = await timed(() => run('cpu'));
  assert.ok(cpu.every((o) => o.status === 'processed'));
  assert.is(peak, 1, 'one record at a time');
  assert.ok(cpuMs >= 6 * MS - 2, `elapsed ${cpuMs}: as long as sequential`);
  peak = 0;
  await run('io');
  assert.is(peak, 3, 'the same schedule overlaps three keys when the work waits');
});

test('parallel-by-key keeps arrival order within a key', async () => {
  const started: string[] = [];
  const finished: string[] = [];
  await processRecords(records, {
    processingMsPerRecord: 0,
    mode: 'parallel-by-key',
    work: async (record) => {
      const id = (record as (typeof records)[number]).id;
      started.push(id);
      // Later records get shorter work: order must still hold within a key.
      await sleep(id.endsWith('1') ? 30 : 5);
      finished.push(id);
    },
  });
  const orderOf = (list: string[], key: string) => list.filter((id) => id.startsWith(key));
  for (const key of ['A', 'B', 'C']) {
    assert.equal(
      orderOf(started, key),
      records.filter((r) => r.key === key).map((r) => r.id),
    );
    assert.equal(
      orderOf(finished, key),
      records.filter((r) => r.key === key).map((r) => r.id),
    );
  }
  // Different keys ran at the same time: all first records started before any finished.
  assert.equal(started.slice(0, 3).sort(), ['A1', 'B1', 'C1']);
});

test('outcomes come back in input order, and a failure skips the rest of its key only', async () => {
  for (const mode of ['sequential', 'parallel-by-key'] as const) {
    const outcomes = await processRecords(records, {
      processingMsPerRecord: 0,
      mode,
      work: async (record) => {
        if ((record as (typeof records)[number]).id === 'A2') throw new Error('payment declined');
      },
    });
    assert.equal(
      outcomes.map((o) => o.status),
      ['processed', 'processed', 'failed', 'processed', 'processed', 'failed'],
      mode,
    );
    const [a2, a3] = [outcomes[2], outcomes[5]];
    if (a2.status === 'failed') assert.match(a2.reason, 'payment declined');
    if (a3.status === 'failed') assert.match(a3.reason, 'skipped');
  }
});

test("the failure rule is the schedule's: one that runs every record applies a key's later record before the failed one's retry; records it never runs are failed unprocessed", async () => {
  const declineA2 = async (record: { key: string }) => {
    if ((record as (typeof records)[number]).id === 'A2') throw new Error('payment declined');
  };
  const everything: Schedule = async (keys, runOne) => {
    await Promise.all(keys.map((_, i) => runOne(i)));
  };
  const careless = await processRecords(records, { processingMsPerRecord: 0, mode: 'parallel-by-key', schedule: everything, work: declineA2 });
  assert.is(careless[5].status, 'processed', 'A3 went through while A2 will be retried: out of order');
  const nothing = await processRecords(records, { processingMsPerRecord: 0, mode: 'parallel-by-key', schedule: async () => {} });
  assert.ok(
    nothing.every((o) => o.status === 'failed' && /^not run: /.test(o.reason)),
    'a record never run is failed, so the mapping retries it',
  );
  let calls = 0;
  const twice: Schedule = async (_keys, runOne) => {
    await runOne(0);
    await runOne(0);
  };
  await processRecords(records, { processingMsPerRecord: 0, mode: 'sequential', schedule: twice, work: async () => void calls++ });
  assert.is(calls, 1, 'a record runs once however often the schedule asks');
});

test('zero processing time completes immediately (before any timer could fire); an empty batch is fine', async () => {
  const batch = processRecords(
    Array.from({ length: 5000 }, (_, i) => ({ key: `k${i % 50}` })),
    { processingMsPerRecord: 0, mode: 'parallel-by-key' },
  );
  const first = await Promise.race([batch.then(() => 'batch'), new Promise((resolve) => setTimeout(() => resolve('timer'), 0))]);
  assert.is(first, 'batch', 'no timer was waited on');
  assert.is((await batch).length, 5000);
  assert.equal(await processRecords([], { processingMsPerRecord: 10, mode: 'sequential' }), []);
});

test.run();
