// Lab 3, your turn: this is lab 2's mapping, but a booking now takes 100 ms of computing (fare
// rules and a fraud score: CPU, so the records of one invocation cannot overlap) and 200 arrive a
// second. `problem` (the traffic, the work a booking takes and the targets) is the lab's: keep it.
// Check your work with `npx workshop check 3`.
import { sizeProvisionedPollers } from '../../capacity-model.ts';
import type { LabSpec } from '../../lab-spec.ts';
import { ESM_METRICS_ON } from '../../pipeline-defaults.ts';
import type { Prediction } from '../../prediction.ts';
import { problem } from '../problem.ts';

export const lab: LabSpec = {
  ...problem,
  kafkaEsm: {
    batchSize: 10,
    batchingWindowSeconds: 0,
    startingPosition: 'LATEST',
    provisionedPollers: sizeProvisionedPollers({ peakRatePerSec: 600, recordsPerBatch: 10, batchDurationMs: 100 }),
    filters: [],
    metrics: ESM_METRICS_ON,
  },
  processor: { ...problem.processor, mode: 'sequential', memoryMb: 512, timeoutSeconds: 30 },
  // TODO(lab 3): the processor cannot keep up behind the Kafka mapping alone. Give it room to scale.
};

// TODO(lab 3): before your first check, write down what you expect your mapping to give.
export const prediction: Prediction = {
  avgBatchSize: undefined, // records per invocation of the booking processor, on average
  p50Ms: undefined, // median end-to-end latency, in ms
  maxConcurrency: undefined, // the most invocations of the booking processor at once this configuration allows
  bottleneck: undefined, // what caps the throughput: 'partitions', 'pollers', 'poller throughput', 'reserved concurrency' or 'sqs concurrency'
};
