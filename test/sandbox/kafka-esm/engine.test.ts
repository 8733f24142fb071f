import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FakeClock } from '../../../sandbox/clock.ts';
import {
  DESTINATION_DELIVERY_ATTEMPTS,
  type DestinationDelivery,
  type DropReason,
  KafkaEsmEngine,
  type KafkaEsmRules,
} from '../../../sandbox/kafka-esm/engine.ts';
import { AWS_DEFAULT_FAILURE_RULES, type InvokeResult } from '../../../sandbox/kafka-esm/failure-policy.ts';
import { type PolledRecord, partitionKey } from '../../../sandbox/kafka-esm/polled-record.ts';
import { OnDemandScaling, type PollerScaling, ProvisionedScaling } from '../../../sandbox/kafka-esm/poller-scaling.ts';
import { record, settle } from './records.ts';

interface Harness {
  clock: FakeClock;
  engine: KafkaEsmEngine;
  invocations: PolledRecord[][];
  commits: Array<Map<string, number>>;
  deliveries: DestinationDelivery[];
  drops: Array<{ offsets: number[]; reason: DropReason }>;
  maxConcurrency: () => number;
  overlaps: string[];
}

function setup(opts: {
  rules?: Partial<KafkaEsmRules>;
  scaling?: PollerScaling;
  durationMs?: (records: PolledRecord[]) => number;
  outcome?: (records: PolledRecord[]) => InvokeResult;
  destination?: boolean;
  /** Replaces the destination's delivery (it records only what this accepts). */
  deliver?: (delivery: DestinationDelivery) => Promise<void>;
}): Harness {
  const clock = new FakeClock(0);
  const invocations: PolledRecord[][] = [];
  const commits: Array<Map<string, number>> = [];
  const deliveries: DestinationDelivery[] = [];
  const drops: Harness['drops'] = [];
  const inFlight = new Set<string>();
  const overlaps: string[] = [];
  let concurrency = 0;
  let peak = 0;
  const rules: KafkaEsmRules = {
    batchSize: 100,
    windowMs: 0,
    failure: { ...AWS_DEFAULT_FAILURE_RULES, hasDestination: !!opts.destination },
    matches: () => true,
    ...opts.rules,
  };
  const engine = new KafkaEsmEngine(
    rules,
    opts.scaling ?? new OnDemandScaling(12),
    {
      invoke: (records) => {
        invocations.push(records);
        const partitions = [...new Set(records.map(partitionKey))];
        for (const p of partitions) {
          if (inFlight.has(p)) overlaps.push(p);
          inFlight.add(p);
        }
        peak = Math.max(peak, ++concurrency);
        return new Promise((resolve) =>
          clock.after(opts.durationMs?.(records) ?? 10, () => {
            concurrency--;
            for (const p of partitions) inFlight.delete(p);
            resolve(opts.outcome?.(records) ?? { kind: 'success', response: null });
          }),
        );
      },
      commit: async (offsets) => void commits.push(new Map(offsets)),
      deliverToDestination: opts.destination
        ? async (d) => {
            await opts.deliver?.(d);
            deliveries.push(d);
          }
        : undefined,
      onDropped: (dropped, reason) => void drops.push({ offsets: dropped.map((r) => r.offset), reason }),
    },
    clock,
  );
  return { clock, engine, invocations, commits, deliveries, drops, maxConcurrency: () => peak, overlaps };
}

async function runFor(h: Harness, ms: number, step = 5): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    h.clock.advance(step);
    await settle(3);
  }
}

/** Stopping waits for invocations in flight, which finish only as the fake clock moves. */
async function stop(h: Harness): Promise<void> {
  let stopped = false;
  const done = h.engine.stop().then(() => (stopped = true));
  while (!stopped) {
    h.clock.advance(50);
    await settle(3);
  }
  await done;
}

function lastCommit(h: Harness): Map<string, number> {
  const merged = new Map<string, number>();
  for (const c of h.commits) for (const [k, v] of c) merged.set(k, Math.max(v, merged.get(k) ?? 0));
  return merged;
}

test('per-partition order holds and no partition has two batches in flight', async () => {
  const h = setup({ durationMs: (r) => 3 + (r[0].offset % 7) });
  for (let offset = 0; offset < 200; offset++) {
    h.engine.push([record(offset % 6, Math.floor(offset / 6), h.clock.now())]);
    await runFor(h, 1, 1);
  }
  await runFor(h, 2000);
  assert.equal(h.overlaps, []);
  const seen = new Map<number, number[]>();
  for (const batch of h.invocations) for (const r of batch) seen.set(r.partition, [...(seen.get(r.partition) ?? []), r.offset]);
  for (const [, offsets] of seen)
    assert.equal(
      offsets,
      [...offsets].sort((a, b) => a - b),
    );
  assert.is([...seen.values()].flat().length, 200, 'each record invoked once');
  await stop(h);
});

test('the default 500 ms window batches; window 0 does not', async () => {
  for (const [windowMs, expectBig] of [
    [500, true],
    [0, false],
  ] as const) {
    const h = setup({ rules: { windowMs }, durationMs: () => 2 });
    for (let i = 0; i < 100; i++) {
      h.engine.push([record(i % 12, Math.floor(i / 12), h.clock.now())]);
      await runFor(h, 10, 5); // 100 records/s
    }
    await runFor(h, 1000);
    const avg = h.invocations.reduce((s, b) => s + b.length, 0) / h.invocations.length;
    if (expectBig) assert.ok(avg > 30, `avg ${avg}`);
    else assert.ok(avg < 1.5, `avg ${avg}`);
    await stop(h);
  }
});

test('offsets are committed only after success', async () => {
  let fail = true;
  const h = setup({ outcome: () => (fail ? { kind: 'function-error', message: 'down' } : { kind: 'success', response: null }) });
  h.engine.push([record(0, 0, 0), record(0, 1, 0)]);
  await runFor(h, 300);
  assert.ok(h.invocations.length >= 2, 'retried');
  assert.ok(![...lastCommit(h).values()].some((v) => v > 0), 'no commit past a failing record');
  fail = false;
  await runFor(h, 2000);
  assert.is(lastCommit(h).get('bookings-0'), 2);
  await stop(h);
});

test('a poison record: retries, bisect, then only it reaches the destination; the rest is committed', async () => {
  const poisonOffset = 13;
  const h = setup({
    destination: true,
    rules: {
      failure: {
        ...AWS_DEFAULT_FAILURE_RULES,
        maximumRetryAttempts: 2,
        bisectBatchOnFunctionError: true,
        reportBatchItemFailures: false,
        maximumRecordAgeSeconds: -1,
        hasDestination: true,
      },
    },
    outcome: (rs) => (rs.some((r) => r.offset === poisonOffset) ? { kind: 'function-error', message: 'poison' } : { kind: 'success', response: null }),
  });
  h.engine.push(Array.from({ length: 20 }, (_, i) => record(0, i, 0)));
  await runFor(h, 5000);
  assert.is(h.deliveries.length, 1);
  assert.equal(
    h.deliveries[0].records.map((r) => r.offset),
    [poisonOffset],
  );
  assert.is(h.deliveries[0].condition, 'RetryAttemptsExhausted');
  const poisonInvocations = h.invocations.filter((b) => b.length === 1 && b[0].offset === poisonOffset).length;
  assert.is(poisonInvocations, 3, 'alone: first try plus 2 retries');
  assert.is(lastCommit(h).get('bookings-0'), 20);
  assert.is(h.engine.counters.OnFailureDestinationDeliveredEventCount, 1);
  await stop(h);
});

test('partial batch response retries only the failed record; the destination gets it after the retries', async () => {
  const h = setup({
    destination: true,
    rules: { failure: { ...AWS_DEFAULT_FAILURE_RULES, maximumRetryAttempts: 1, reportBatchItemFailures: true, hasDestination: true } },
    outcome: (rs) => ({
      kind: 'success',
      response: { batchItemFailures: rs.filter((r) => r.offset === 2).map((r) => ({ itemIdentifier: { partition: partitionKey(r), offset: r.offset } })) },
    }),
  });
  h.engine.push([0, 1, 2, 3].map((o) => record(0, o, 0)));
  await runFor(h, 2000);
  assert.equal(
    h.invocations.map((b) => b.map((r) => r.offset)),
    [[0, 1, 2, 3], [2]],
  );
  assert.equal(
    h.deliveries.map((d) => d.records.map((r) => r.offset)),
    [[2]],
  );
  assert.is(lastCommit(h).get('bookings-0'), 4);
  assert.is(h.engine.counters.FailedInvokeEventCount, 2, 'FailedInvokeEventCount counts a record named in BatchItemFailures, each time');
  assert.is(h.engine.counters.InvokeErrorCount, 0, 'the invocations themselves succeeded');
  await stop(h);
});

test('without a destination, exhausted records are skipped and counted as dropped', async () => {
  const h = setup({
    rules: { failure: { ...AWS_DEFAULT_FAILURE_RULES, maximumRetryAttempts: 0 } },
    outcome: () => ({ kind: 'function-error', message: 'x' }),
  });
  h.engine.push([record(0, 0, 0)]);
  await runFor(h, 500);
  assert.is(h.engine.counters.DroppedEventCount, 1);
  assert.equal(h.drops, [{ offsets: [0], reason: 'no-destination' }]);
  assert.is(lastCommit(h).get('bookings-0'), 1);
  await stop(h);
});

test('a destination that refuses every delivery: three attempts, then the records are dropped and the partition moves on', async () => {
  const attempts: number[] = [];
  const h = setup({
    destination: true,
    deliver: async () => {
      attempts.push(h.clock.now());
      throw Object.assign(new Error('AccessDenied: not authorized to perform sqs:SendMessage'), { name: 'AccessDenied' });
    },
    rules: { failure: { ...AWS_DEFAULT_FAILURE_RULES, maximumRetryAttempts: 0, hasDestination: true } },
    outcome: (rs) => (rs.some((r) => r.offset === 1) ? { kind: 'function-error', message: 'poison' } : { kind: 'success', response: null }),
  });
  h.engine.push([record(0, 0, 0)]);
  await runFor(h, 100);
  h.engine.push([record(0, 1, h.clock.now())]);
  await runFor(h, 3000);
  h.engine.push([record(0, 2, h.clock.now())]);
  await runFor(h, 500);
  assert.is(attempts.length, DESTINATION_DELIVERY_ATTEMPTS);
  assert.equal(
    attempts.slice(1).map((at, i) => at - attempts[i]),
    [500, 500],
    'half a second apart',
  );
  assert.is(h.engine.counters.OnFailureDestinationDeliveryErrorCount, DESTINATION_DELIVERY_ATTEMPTS, 'one error per failed attempt');
  assert.is(h.engine.counters.OnFailureDestinationDeliveredEventCount, 0, 'AWS emits no delivered count for a failed delivery');
  assert.is(h.engine.counters.DroppedEventCount, 1, 'the records that failed delivery are dropped');
  assert.equal(h.drops, [{ offsets: [1], reason: 'destination-delivery-failed' }]);
  assert.equal(
    h.invocations.flat().map((r) => r.offset),
    [0, 1, 2],
    'the partition is not blocked: the next record is invoked',
  );
  assert.is(lastCommit(h).get('bookings-0'), 3);
  await stop(h);
});

test('a destination that fails once then accepts: delivered, one delivery error, nothing dropped', async () => {
  let failures = 1;
  const h = setup({
    destination: true,
    deliver: async () => {
      if (failures-- > 0) throw new Error('connection reset');
    },
    rules: { failure: { ...AWS_DEFAULT_FAILURE_RULES, maximumRetryAttempts: 0, hasDestination: true } },
    outcome: () => ({ kind: 'function-error', message: 'poison' }),
  });
  h.engine.push([record(0, 0, 0)]);
  await runFor(h, 1500);
  assert.is(h.deliveries.length, 1);
  assert.is(h.engine.counters.OnFailureDestinationDeliveryErrorCount, 1);
  assert.is(h.engine.counters.OnFailureDestinationDeliveredEventCount, 1);
  assert.is(h.engine.counters.DroppedEventCount, 0);
  assert.equal(h.drops, []);
  await stop(h);
});

test('a record past its maximum age before any invocation: RetryAttemptsExhausted with 0 invocations and no response', async () => {
  const h = setup({
    destination: true,
    rules: { failure: { ...AWS_DEFAULT_FAILURE_RULES, maximumRecordAgeSeconds: 60, maximumRetryAttempts: 2, hasDestination: true } },
  });
  h.clock.advance(61_000);
  h.engine.push([record(0, 0, 0), { ...record(0, 1, h.clock.now()) }]);
  await runFor(h, 200);
  assert.is(h.deliveries.length, 1);
  const [delivery] = h.deliveries;
  assert.equal(
    delivery.records.map((r) => r.offset),
    [0],
  );
  assert.is(delivery.condition, 'RetryAttemptsExhausted', 'one of the two conditions kafka-on-failure.html shows');
  assert.is(delivery.invokeCount, 0, 'never invoked, so it claims no invocation');
  assert.is(delivery.lastResult, undefined, 'no response: the destination record has responseContext null');
  assert.equal(
    h.invocations.flat().map((r) => r.offset),
    [1],
  );
  await stop(h);
});

test('a record larger than the invoke payload limit: never invoked, MaximumPayloadSizeExceeded, the rest processed', async () => {
  const h = setup({
    destination: true,
    rules: { maxPayloadBytes: 2_000, failure: { ...AWS_DEFAULT_FAILURE_RULES, maximumRetryAttempts: 2, hasDestination: true } },
  });
  h.engine.push([record(0, 0, 0, 10), record(0, 1, 0, 5_000), record(0, 2, 0, 10)]);
  await runFor(h, 500);
  assert.equal(
    h.invocations.map((b) => b.map((r) => r.offset)),
    [[0], [2]],
    'the oversized record takes a batch of its own and is not invoked',
  );
  assert.is(h.deliveries.length, 1);
  assert.is(h.deliveries[0].condition, 'MaximumPayloadSizeExceeded');
  assert.is(h.deliveries[0].invokeCount, 0);
  assert.is(h.deliveries[0].lastResult, undefined);
  assert.is(lastCommit(h).get('bookings-0'), 3);
  await stop(h);
});

test('a record that failed schema validation: never invoked, SchemaRegistryErrorCount, to the destination with its reason code, the partition moves on', async () => {
  const h = setup({ destination: true, rules: { failure: { ...AWS_DEFAULT_FAILURE_RULES, maximumRetryAttempts: 2, hasDestination: true } } });
  const failed = { ...record(0, 1, 0), schemaFailure: { condition: 'SCHEMA_NOT_FOUND' as const, message: 'no schema 2147483647' } };
  h.engine.push([record(0, 0, 0), failed, record(0, 2, 0)]);
  await runFor(h, 500);
  assert.equal(
    h.invocations.flat().map((r) => r.offset),
    [0, 2],
  );
  assert.equal(
    h.deliveries.map((d) => [d.records.map((r) => r.offset), d.condition, d.invokeCount, d.lastResult]),
    [[[1], 'SCHEMA_NOT_FOUND', 0, undefined]],
  );
  assert.is(h.engine.counters.SchemaRegistryErrorCount, 1);
  assert.is(h.engine.counters.PolledEventCount, 3);
  assert.is(lastCommit(h).get('bookings-0'), 3);
  await stop(h);

  const noDestination = setup({});
  noDestination.engine.push([{ ...record(0, 0, 0), schemaFailure: { condition: 'DESERIALIZATION_ERROR' as const, message: 'bad bytes' } }]);
  await runFor(noDestination, 200);
  assert.equal(noDestination.drops, [{ offsets: [0], reason: 'no-destination' }], 'discarded without a destination: dropped');
  assert.is(lastCommit(noDestination).get('bookings-0'), 1);
  await stop(noDestination);
});

test('filtered records are never invoked and are committed', async () => {
  const h = setup({ rules: { matches: (r) => r.offset % 2 === 0 } });
  h.engine.push([0, 1, 2, 3, 4, 5].map((o) => record(0, o, 0)));
  await runFor(h, 500);
  assert.equal(
    h.invocations.flat().map((r) => r.offset),
    [0, 2, 4],
  );
  assert.is(h.engine.counters.FilteredOutEventCount, 3);
  assert.is(lastCommit(h).get('bookings-0'), 6);
  await stop(h);
});

test('on-demand concurrency never exceeds the partitions', async () => {
  const h = setup({ scaling: new OnDemandScaling(4, 600), durationMs: () => 200 });
  for (let i = 0; i < 400; i++) h.engine.push([record(i % 4, Math.floor(i / 4), 0)]);
  await runFor(h, 20_000, 20);
  assert.ok(h.maxConcurrency() <= 4, `peak ${h.maxConcurrency()}`);
  assert.ok(h.maxConcurrency() >= 2, 'pollers scaled out');
  await stop(h);
});

test('on-demand starts with one poller: at most 5 concurrent invocations until it scales', async () => {
  const h = setup({ scaling: new OnDemandScaling(12, 1), durationMs: () => 100 });
  for (let i = 0; i < 120; i++) h.engine.push([record(i % 12, Math.floor(i / 12), 0)]);
  await runFor(h, 3_000, 10);
  assert.is(h.maxConcurrency(), 5, 'one poller, no evaluation yet (one a minute)');
  await stop(h);
});

test('provisioned: at most 5 concurrent invocations per poller', async () => {
  const h = setup({ scaling: new ProvisionedScaling(1, 1, 12), durationMs: () => 100 });
  for (let i = 0; i < 240; i++) h.engine.push([record(i % 12, Math.floor(i / 12), 0)]);
  await runFor(h, 10_000, 10);
  assert.is(h.maxConcurrency(), 5);
  assert.is(h.invocations.flat().length, 240);
  await stop(h);
});

test('provisioned scales up within seconds when invocations queue', async () => {
  const h = setup({ scaling: new ProvisionedScaling(1, 3, 12), durationMs: () => 500, rules: { batchSize: 1 } });
  for (let i = 0; i < 600; i++) h.engine.push([record(i % 12, Math.floor(i / 12), 0)]);
  await runFor(h, 6_000, 20);
  assert.is(h.engine.snapshot().pollers, 3);
  assert.ok(h.maxConcurrency() > 5 && h.maxConcurrency() <= 12, `peak ${h.maxConcurrency()}`);
  await stop(h);
});

test('a batch retried forever does not hold up a rebalance: its partition stays blocked, the others progress on the new pollers', async () => {
  // On-demand, one evaluation a second: the growing lag adds pollers while the poison
  // batch keeps failing. The rebalance hands the failing batch back to its partition (uncommitted,
  // as a consumer that loses a partition leaves its uncommitted records to the next owner).
  const h = setup({
    scaling: new OnDemandScaling(12, 60, 10),
    rules: { batchSize: 10 },
    durationMs: () => 50,
    outcome: (rs) =>
      rs.some((r) => r.partition === 0 && r.offset === 0) ? { kind: 'function-error', message: 'poison' } : { kind: 'success', response: null },
  });
  h.engine.push([record(0, 0, 0)]);
  h.engine.setHighWatermark('bookings-0', 1);
  await runFor(h, 100);
  const ends = new Map<string, number>();
  for (let step = 0; step < 80; step++) {
    for (let p = 0; p < 12; p++) {
      const offset = p === 0 ? step + 1 : step;
      h.engine.push([record(p, offset, h.clock.now())]);
      h.engine.setHighWatermark(`bookings-${p}`, offset + 1);
      ends.set(`bookings-${p}`, offset + 1);
    }
    await runFor(h, 50);
  }
  await runFor(h, 3_000);
  assert.ok(h.engine.snapshot().pollers > 1, 'the pollers scaled out (a rebalance happened)');
  const committed = lastCommit(h);
  for (let p = 1; p < 12; p++) assert.is(committed.get(`bookings-${p}`), ends.get(`bookings-${p}`), `partition ${p} committed to its end`);
  assert.not.ok((committed.get('bookings-0') ?? 0) > 0, 'the poison partition committed nothing');
  const poisonAttempts = h.invocations.filter((b) => b.some((r) => r.partition === 0 && r.offset === 0));
  assert.ok(poisonAttempts.length > 10, `still retrying (${poisonAttempts.length} attempts)`);
  assert.ok(
    poisonAttempts.every((b) => b.every((r) => r.partition === 0)),
    'only its own partition is held with it',
  );
  assert.equal(h.overlaps, [], 'never two batches of a partition in flight, across the handover too');
  await stop(h);
});

/** Pollers that change at every evaluation, to force a rebalance between every two attempts. */
function everyEvaluationRebalances(counts: number[], intervalMs: number): PollerScaling {
  let i = 0;
  return {
    mode: 'provisioned',
    evaluationIntervalMs: intervalMs,
    invocationsPerPoller: 5,
    pollers: () => counts[Math.min(i, counts.length - 1)],
    evaluate: () => counts[Math.min(++i, counts.length - 1)],
  };
}

test('retry counts survive rebalances: a poison record is invoked MaximumRetryAttempts + 1 times, no more, then reaches the destination once', async () => {
  const h = setup({
    scaling: everyEvaluationRebalances([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], 400),
    rules: { batchSize: 5, failure: { ...AWS_DEFAULT_FAILURE_RULES, maximumRetryAttempts: 6, hasDestination: true } },
    destination: true,
    durationMs: () => 300,
    outcome: (rs) =>
      rs.some((r) => r.partition === 0 && r.offset === 0) ? { kind: 'function-error', message: 'poison' } : { kind: 'success', response: null },
  });
  for (let step = 0; step < 40; step++) {
    for (let p = 0; p < 12; p++) h.engine.push([record(p, step, h.clock.now())]);
    await runFor(h, 100);
  }
  await runFor(h, 20_000, 20);
  assert.is(h.engine.snapshot().pollers, 12, 'eleven rebalances happened');
  const poisonAttempts = h.invocations.filter((b) => b.some((r) => r.partition === 0 && r.offset === 0)).length;
  assert.is(poisonAttempts, 7, 'the first invocation and six retries, across the rebalances');
  const delivered = h.deliveries.flatMap((d) => d.records).filter((r) => r.partition === 0 && r.offset === 0);
  assert.is(delivered.length, 1);
  assert.is(h.deliveries.find((d) => d.records.includes(delivered[0]))?.invokeCount, 7);
  assert.is(lastCommit(h).get('bookings-0'), 40, 'its partition moved on past it');
  await stop(h);
});

test('a partial batch response in a shape AWS ignores retries the whole batch, and the run gets one warning line', async () => {
  let attempts = 0;
  const h = setup({
    rules: { failure: { ...AWS_DEFAULT_FAILURE_RULES, reportBatchItemFailures: true, maximumRetryAttempts: 2 } },
    outcome: () => ({ kind: 'success', response: attempts++ < 2 ? { batchItemFailures: [{ itemIdentifier: 'bookings-0-1' }] } : null }),
  });
  h.engine.push([record(0, 0, 0), record(0, 1, 0), record(0, 2, 0)]);
  await runFor(h, 2_000);
  assert.equal(
    h.invocations.map((b) => b.map((r) => r.offset)),
    [
      [0, 1, 2],
      [0, 1, 2],
      [0, 1, 2],
    ],
    'the whole batch, every time',
  );
  assert.equal(h.engine.warnings().length, 1);
  assert.match(h.engine.warnings()[0], '2 times (first: {"itemIdentifier":"bookings-0-1"} names no record of the batch)');
  assert.match(h.engine.warnings()[0], '{"itemIdentifier": {"partition": "<topic>-<partition>", "offset": <number>}}');
  assert.equal(h.engine.snapshot().warnings, h.engine.warnings());
  await stop(h);
});

test('a poller reads no faster than its byte rate: batches wait for the budget, none is lost', async () => {
  const h = setup({ scaling: new ProvisionedScaling(1, 1, 12), rules: { batchSize: 5, pollerBytesPerSec: 100_000 }, durationMs: () => 1 });
  for (let i = 0; i < 100; i++) h.engine.push([record(i % 4, Math.floor(i / 4), 0, 10_000)]);
  await runFor(h, 3_000, 10);
  const early = h.invocations.flat().length;
  // 100 kB of burst and 300 kB more in 3 s, at about 10 kB a record: about 40 records.
  assert.ok(early >= 30 && early <= 50, `${early} records invoked in 3 s`);
  await runFor(h, 10_000, 10);
  assert.is(h.invocations.flat().length, 100, 'all of them, later');
  await stop(h);
});

test('throttled invocations are retried, not failed', async () => {
  let throttles = 2;
  const h = setup({
    outcome: () => (throttles-- > 0 ? { kind: 'throttled', message: 'Rate exceeded' } : { kind: 'success', response: null }),
    destination: true,
    rules: { failure: { ...AWS_DEFAULT_FAILURE_RULES, maximumRetryAttempts: 0, hasDestination: true } },
  });
  h.engine.push([record(0, 0, 0)]);
  await runFor(h, 1000);
  assert.is(h.engine.counters.Throttles, 2);
  assert.is(h.deliveries.length, 0);
  assert.is(lastCommit(h).get('bookings-0'), 1);
  await stop(h);
});

test('OffsetLag counts from the newest high watermark, even when an older one is reported after it', async () => {
  const h = setup({ rules: { windowMs: 10_000 } });
  h.engine.push([record(0, 0, 0), record(0, 1, 0)]);
  await runFor(h, 20);
  h.engine.setHighWatermark('bookings-0', 40);
  h.engine.setHighWatermark('bookings-0', 2); // a fetch response from before the admin refresh
  assert.is(h.engine.snapshot().offsetLag, 40, 'nothing committed yet: 40 records behind');
  await stop(h);
});

test.run();
