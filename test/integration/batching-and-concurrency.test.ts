// On the real broker: window 0 with provisioned pollers gives batches near 1 at a low rate while
// the default window batches; concurrency never passes the partitions on-demand, nor 5 per
// poller in provisioned mode.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { METRICS_BY_SERVICE, DEFAULT_METRICS_NAMESPACE as METRICS_NAMESPACE, metricDimensionNames } from '../../handlers/shared/telemetry.ts';
import type { LabSpec } from '../../labs/lab-spec.ts';
import { startSandbox } from '../../sandbox/index.ts';
import { type KafkaSandbox, startKafka } from '../../sandbox/kafka-broker.ts';
import { collectProcessed, labVariant, waitFor } from './support.ts';

let kafka: KafkaSandbox;

test.before(async () => {
  kafka = await startKafka();
});
test.after(async () => {
  await kafka?.stop();
});

async function run(lab: LabSpec, runId: string) {
  const sandbox = await startSandbox(lab, { kafka });
  try {
    const processed = collectProcessed(sandbox.runtime, runId);
    const produced = await sandbox.produce({ runId, startAtMs: Date.now() + 200, profile: lab.traffic });
    await waitFor(() => processed.counts.size >= produced.published, 60_000, `${runId}: every event processed`);
    const producer = sandbox.functions.producer;
    const producerMetrics = sandbox.runtime.metrics.find({ functionName: producer.name, namespace: METRICS_NAMESPACE });
    return {
      processed,
      produced,
      producerMetrics,
      producerEnv: producer.env,
      peakConcurrency: sandbox.functions.kafkaTarget.peakConcurrency,
      snapshot: sandbox.snapshot(),
    };
  } finally {
    await sandbox.stop();
  }
}

const average = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

test('window 0 with provisioned pollers: batches near 1 at a low rate; the default window batches', async () => {
  const slow = { ratePerSec: 20, durationSec: 4, warmUpSec: 0, shape: 'steady' as const };
  const immediate = await run(labVariant(2, 'it-window-zero', { traffic: slow, processor: { processingMsPerRecord: 1 } }), 'window-zero');
  const batched = await run(labVariant(1, 'it-window-default', { traffic: slow, processor: { processingMsPerRecord: 1 } }), 'window-default');
  const zero = average(immediate.processed.batchSizes);
  const fallback = average(batched.processed.batchSizes);
  assert.ok(zero < 1.3, `window 0: average batch ${zero}`);
  assert.ok(fallback > 6, `default 500 ms window: average batch ${fallback}`);
  // The producer writes what the dashboard and the harness look for (handlers/shared/telemetry.ts).
  assert.equal([...new Set(immediate.producerMetrics.map((m) => m.name))].sort(), [...METRICS_BY_SERVICE.producer].sort());
  for (const m of immediate.producerMetrics) assert.equal(Object.keys(m.dimensions).sort(), metricDimensionNames(immediate.producerEnv));
});

test('on-demand concurrency never exceeds the partitions', async () => {
  const lab = labVariant(1, 'it-on-demand-bound', {
    topic: { partitions: 3 },
    kafkaEsm: { batchSize: 10 },
    processor: { processingMsPerRecord: 20 },
    traffic: { ratePerSec: 400, durationSec: 3, warmUpSec: 0 },
  });
  const result = await run(lab, 'on-demand-bound');
  assert.ok(result.peakConcurrency <= 3, `peak ${result.peakConcurrency}`);
  assert.ok(result.snapshot.kafkaEsm.pollers <= 3);
});

test('provisioned: at most 5 concurrent invocations per poller', async () => {
  const lab = labVariant(2, 'it-provisioned-bound', {
    topic: { partitions: 12 },
    kafkaEsm: { batchSize: 1, provisionedPollers: { minimum: 1, maximum: 1 } },
    processor: { processingMsPerRecord: 50 },
    traffic: { shape: 'steady', ratePerSec: 300, durationSec: 2, warmUpSec: 0 },
  });
  const result = await run(lab, 'provisioned-bound');
  assert.is(result.peakConcurrency, 5);
});

test.run();
