// The ESM's own CloudWatch metrics (MetricsConfig): the engine counts what AWS counts, and the
// publisher emits, per metric period, only the groups the spec turns on, under AWS's names.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { enabledEsmMetrics, KAFKA_ESM_METRICS } from '../../../labs/esm-metrics.ts';
import { eventPollerUnits } from '../../../labs/event-poller-units.ts';
import { FakeClock } from '../../../sandbox/clock.ts';
import { type KafkaEsmCounters, KafkaEsmEngine, zeroCounters } from '../../../sandbox/kafka-esm/engine.ts';
import { type EsmReading, KafkaEsmMetrics } from '../../../sandbox/kafka-esm/esm-metrics.ts';
import { AWS_DEFAULT_FAILURE_RULES, type InvokeResult } from '../../../sandbox/kafka-esm/failure-policy.ts';
import { ProvisionedScaling } from '../../../sandbox/kafka-esm/poller-scaling.ts';
import type { EmfMetric } from '../../../sandbox/lambda-runtime/emf.ts';
import { record, settle } from './records.ts';

function counters(values: Partial<KafkaEsmCounters> = {}): KafkaEsmCounters {
  return { ...zeroCounters(), ...values };
}

const PERIOD_MS = 3000;
const MB = 1024 * 1024;

function publisher(groups: Parameters<typeof enabledEsmMetrics>[0], provisioned = false) {
  const clock = new FakeClock(0);
  let reading: EsmReading = { counters: counters(), offsetLagByPartition: new Map(), pollers: 1 };
  const emitted: EmfMetric[] = [];
  const p = new KafkaEsmMetrics({
    uuid: 'esm-1',
    groups,
    provisioned,
    periodMs: PERIOD_MS,
    read: () => reading,
    // A mapping alone: its own EPUs, from its pollers and the period's bytes a second.
    eventPollerUnits: (bytesPerSec) => eventPollerUnits({ pollers: reading.pollers, bytesPerSec }),
    emit: (m) => emitted.push(m),
    clock,
  });
  return { clock, emitted, p, set: (r: Partial<EsmReading>) => (reading = { ...reading, ...r }) };
}

const names = (metrics: EmfMetric[]) => metrics.map((m) => m.name);

test('the groups turn on exactly the metrics AWS lists for a Kafka mapping', () => {
  assert.equal(enabledEsmMetrics(undefined), []);
  assert.equal(enabledEsmMetrics(['KafkaMetrics']), ['MaxOffsetLag', 'SumOffsetLag']);
  assert.equal(enabledEsmMetrics(['KafkaMetrics', 'EventCount']), [...KAFKA_ESM_METRICS.EventCount, 'MaxOffsetLag', 'SumOffsetLag']);
  assert.not.ok(enabledEsmMetrics(['EventCount', 'ErrorCount', 'KafkaMetrics']).includes('DeletedEventCount' as never), 'DeletedEventCount is SQS only');
});

test('no MetricsConfig, on-demand: nothing is published', () => {
  const h = publisher(undefined);
  h.p.start();
  h.set({ counters: counters({ PolledEventCount: 50 }) });
  h.clock.advance(9000);
  assert.equal(h.emitted, []);
});

test("EventCount: one data point per metric per period, the period's delta, dimension EventSourceMappingUUID", () => {
  const h = publisher(['EventCount']);
  h.p.start();
  h.set({ counters: counters({ PolledEventCount: 100, InvokedEventCount: 80, FilteredOutEventCount: 20, CommittedEventCount: 100 }) });
  h.clock.advance(3000);
  assert.equal(names(h.emitted), [...KAFKA_ESM_METRICS.EventCount]);
  const polled = h.emitted.find((m) => m.name === 'PolledEventCount')!;
  assert.equal(polled.values, [100]);
  assert.is(polled.namespace, 'AWS/Lambda');
  assert.equal(polled.dimensions, { EventSourceMappingUUID: 'esm-1' });
  assert.is(polled.timestamp, 3000);
  h.emitted.length = 0;
  h.set({ counters: counters({ PolledEventCount: 130, InvokedEventCount: 110, FilteredOutEventCount: 20, CommittedEventCount: 130 }) });
  h.clock.advance(3000);
  assert.equal(h.emitted.find((m) => m.name === 'PolledEventCount')!.values, [30]);
  assert.equal(h.emitted.find((m) => m.name === 'FilteredOutEventCount')!.values, [0], 'a count with nothing to count is a 0, as AWS emits');
});

test('ErrorCount: a metric appears only in a period with an error', () => {
  const h = publisher(['ErrorCount']);
  h.p.start();
  h.clock.advance(3000);
  assert.equal(h.emitted, []);
  h.set({ counters: counters({ InvokeErrorCount: 2, CommitErrorCount: 1 }) });
  h.clock.advance(3000);
  assert.equal(
    h.emitted.map((m) => [m.name, m.values[0]]),
    [
      ['InvokeErrorCount', 2],
      ['CommitErrorCount', 1],
    ],
  );
});

test('KafkaMetrics: MaxOffsetLag and SumOffsetLag across partitions', () => {
  const h = publisher(['KafkaMetrics']);
  h.p.start();
  h.set({
    offsetLagByPartition: new Map([
      ['bookings-0', 40],
      ['bookings-1', 5],
      ['bookings-2', 0],
    ]),
  });
  h.clock.advance(3000);
  assert.equal(
    h.emitted.map((m) => [m.name, m.values[0]]),
    [
      ['MaxOffsetLag', 40],
      ['SumOffsetLag', 45],
    ],
  );
});

test('provisioned: ProvisionedPollers, EventPollerUnit and the bytes read, whatever MetricsConfig says; at low throughput the pollers decide the EPUs (10 each)', () => {
  const h = publisher([], true);
  h.p.start();
  h.set({ pollers: 12, counters: counters({ PolledBytes: 5000 }) });
  h.clock.advance(PERIOD_MS);
  assert.equal(
    h.emitted.map((m) => [m.name, m.values[0], m.unit]),
    [
      ['ProvisionedPollers', 12, 'Count'],
      ['EventPollerUnit', 2, 'Count'],
      ['EventPollerThroughputInBytes', 5000, 'Bytes'],
    ],
  );
});

test('at high throughput the bytes decide the EPUs (20 MB/s each): 12 pollers reading their full 5 MB/s take 3, and 2 again once they slow down', () => {
  const h = publisher([], true);
  h.p.start();
  const epus = () => h.emitted.filter((m) => m.name === 'EventPollerUnit').map((m) => m.values[0]);
  // 60 MB/s over the 3-second period: 180 MB read.
  h.set({ pollers: 12, counters: counters({ PolledBytes: 180 * MB }) });
  h.clock.advance(PERIOD_MS);
  assert.equal(epus(), [3], '60 MB/s needs 3 EPUs though 12 pollers would fit in 2');
  // The next period reads 30 MB more: 10 MB/s, and the pollers decide again.
  h.set({ counters: counters({ PolledBytes: 210 * MB }) });
  h.clock.advance(PERIOD_MS);
  assert.equal(epus(), [3, 2], "each period's EPUs come from that period's throughput");
});

test('a partial last period is averaged over a whole one, so stopping early never spikes the EPUs', () => {
  const h = publisher([], true);
  h.p.start();
  h.set({ pollers: 1, counters: counters({ PolledBytes: 15 * MB }) });
  h.clock.advance(500);
  h.p.stop();
  assert.equal(h.emitted.find((m) => m.name === 'EventPollerUnit')!.values, [1], '15 MB in a 3 s period is 5 MB/s, one poller at its limit');
});

test('stop publishes the last partial period, so every counted event is in a data point', () => {
  const h = publisher(['EventCount']);
  h.p.start();
  h.set({ counters: counters({ PolledEventCount: 7 }) });
  h.clock.advance(1000);
  h.p.stop();
  assert.equal(h.emitted.find((m) => m.name === 'PolledEventCount')!.values, [7]);
  h.clock.advance(10_000);
  assert.is(h.emitted.filter((m) => m.name === 'PolledEventCount').length, 1, 'no period after stop');
});

test('the engine counts commits, invoke errors, commit errors and destination errors as AWS defines them', async () => {
  const clock = new FakeClock(0);
  let commitFailures = 1;
  let destinationFailures = 2;
  const engine = new KafkaEsmEngine(
    { batchSize: 10, windowMs: 0, failure: { ...AWS_DEFAULT_FAILURE_RULES, maximumRetryAttempts: 1, hasDestination: true }, matches: () => true },
    new ProvisionedScaling(1, 1, 1),
    {
      invoke: async (records): Promise<InvokeResult> =>
        records.some((r) => r.offset === 3) ? { kind: 'function-error', message: 'poison' } : { kind: 'success', response: null },
      commit: async () => {
        if (commitFailures-- > 0) throw new Error('coordinator loading');
      },
      deliverToDestination: async () => {
        if (destinationFailures-- > 0) throw new Error('queue unavailable');
      },
    },
    clock,
  );
  engine.push([0, 1, 2, 3, 4].map((o) => record(0, o, 0)));
  for (let i = 0; i < 400; i++) {
    clock.advance(10);
    await settle(3);
  }
  engine.push([record(0, 5, 0)]);
  for (let i = 0; i < 50; i++) {
    clock.advance(10);
    await settle(3);
  }
  const c = engine.counters;
  assert.is(c.InvokeErrorCount, 2, 'the batch holding the poison record failed twice (first try + 1 retry): counted per batch');
  assert.is(c.FailedInvokeEventCount, 10, 'per record: 5 records, twice');
  assert.is(c.OnFailureDestinationDeliveryErrorCount, 2);
  assert.is(c.OnFailureDestinationDeliveredEventCount, 5);
  assert.is(c.CommitErrorCount, 1);
  assert.is(c.CommittedEventCount, 6, 'the deltas of the committed offset add up to every record, once');
  assert.is(c.PolledBytes, 6 * (10 + 2), 'value plus key bytes of every record read');
  await engine.stop();
});

test.run();
