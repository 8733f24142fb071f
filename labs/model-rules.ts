// The rules the labs teach, one line each, and each applied to a spec with its own numbers. The
// capacity model computes with them; `workshop check` explains a learner's largest miss with them;
// WORKSHOP.md states each in its lab, word for word (test/docs/guide.test.ts keeps it so).
import { INVOCATIONS_PER_KAFKA_POLLER } from './aws-limits.ts';
import { type CapacityModel, POLLER_HEADROOM, recordsPerWindow, type StageModel } from './capacity-model.ts';
import type { LabSpec } from './lab-spec.ts';

export const RULES = {
  batch: 'average batch ≈ min(batch size, records per poller per window)',
  latency: 'latency floor = half the window + processing',
  concurrency:
    'concurrency ≤ partitions for a Kafka mapping (one batch in flight per partition, 5 per poller); an SQS mapping scales to its maximum concurrency',
  pollers: `provisioned pollers = peak × ${1 + POLLER_HEADROOM} ÷ (${INVOCATIONS_PER_KAFKA_POLLER} invocations × batch ÷ batch duration): AWS's sizing rule plus the headroom it recommends`,
  byKey: "parallel by key: a booking's records stay in order, and once one fails its later records fail unprocessed",
  schemaFirst:
    'the mapping validates before it filters: a record is filtered on its decoded fields, and one it cannot decode goes to the destination uninvoked',
} as const;

export type Rule = keyof typeof RULES;

const ms = (n: number) => `${round(n)} ms`;
const round = (n: number) => Math.round(n * 100) / 100;

/** The stage whose function is the booking processor: the last. */
function processorStage(model: CapacityModel): StageModel {
  return model.stages[model.stages.length - 1];
}

/** The batch rule with this spec's numbers: why the processor's batches hold what they hold. */
export function batchRuleApplied(spec: LabSpec, model: CapacityModel): string {
  const stage = processorStage(model);
  const rate = `${stage.invokedRatePerSec}/s`;
  if (stage.source === 'sqs') {
    return `an SQS poll returns what is queued, up to the batch size ${spec.sqsBuffer!.batchSize}: at ${rate}, each of up to ${stage.concurrencyLimit} batches collects about ${stage.expectedBatchSize}`;
  }
  const pollers = stage.pollers ?? 1;
  if (stage.batchingWindowMs > 0) {
    const collected = round(recordsPerWindow(stage.invokedRatePerSec, pollers, stage.batchingWindowMs));
    return `min(batch size ${spec.kafkaEsm.batchSize}, ${rate} ÷ ${pollers} poller${pollers === 1 ? '' : 's'} × ${stage.batchingWindowMs / 1000} s window + the record that opened it ≈ ${collected}) ≈ ${stage.expectedBatchSize}: ${collected < spec.kafkaEsm.batchSize ? 'the window closes before the batch fills' : 'the batch fills before the window closes'}`;
  }
  return `with no window a batch holds the record that opens it plus what its partition received while the batch before was in flight: 1 + ${rate} ÷ ${spec.topic.partitions} partitions × ${stage.batchDurationMs} ms ≈ ${stage.expectedBatchSize} (at most the batch size, ${spec.kafkaEsm.batchSize})`;
}

/** The latency rule with this spec's numbers, stage by stage. */
export function latencyRuleApplied(spec: LabSpec, model: CapacityModel): string {
  const parts = model.stages.map((stage, i) => {
    const who = model.stages.length > 1 ? (i === 0 ? 'forwarder: ' : 'processor: ') : '';
    const work = stage.latencyMs.work;
    return `${who}${ms(stage.latencyMs.window)} waiting (half the ${ms(stage.batchingWindowMs)} window) + ${ms(work)} of processing`;
  });
  const how =
    spec.processor.mode === 'parallel-by-key' && spec.processor.workKind === 'io'
      ? `one booking's ${spec.processor.processingMsPerRecord} ms: a batch's bookings overlap`
      : `half a batch of ${processorStage(model).expectedBatchSize} × ${spec.processor.processingMsPerRecord} ms: its records take turns`;
  return `${parts.join('; ')} = ${ms(model.latencyFloorMs)} (processing: ${how})`;
}

/** The concurrency rule with this spec's numbers. */
export function concurrencyRuleApplied(model: CapacityModel): string {
  const stage = processorStage(model);
  return `at most ${stage.concurrencyLimit} invocations of the processor at once: ${stage.concurrencyBound}`;
}

/** What caps the throughput, with the ceiling against the peak. */
export function bottleneckApplied(model: CapacityModel): string {
  return `${model.bottleneck}: a ceiling of ${model.maxThroughputPerSec}/s against a peak of ${model.peakRatePerSec}/s (${model.headroom}× headroom)`;
}
