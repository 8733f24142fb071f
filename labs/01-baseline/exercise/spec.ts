// Lab 1, your turn: this is the event source mapping AWS creates when you give it nothing but the
// topic: batch size 100, no batching window set, on-demand pollers. Before you measure it, predict
// what it gives, from the rules in WORKSHOP.md; `npx workshop check 1` runs it and compares.
// `problem` (the traffic, the work a booking takes and the targets) is the lab's: keep it.

import type { LabSpec } from '../../lab-spec.ts';
import { ESM_METRICS_ON } from '../../pipeline-defaults.ts';
import type { Prediction } from '../../prediction.ts';
import { problem } from '../problem.ts';

export const lab: LabSpec = {
  ...problem,
  kafkaEsm: {
    batchSize: 100,
    startingPosition: 'LATEST',
    filters: [],
    metrics: ESM_METRICS_ON,
  },
  processor: { ...problem.processor, mode: 'sequential', memoryMb: 512, timeoutSeconds: 60 },
};

// TODO(lab 1): before your first check, write down what you expect this mapping to give.
export const prediction: Prediction = {
  avgBatchSize: undefined, // records per invocation of the booking processor, on average
  p50Ms: undefined, // median end-to-end latency, in ms
  maxConcurrency: undefined, // the most invocations of the booking processor at once this configuration allows
  bottleneck: undefined, // what caps the throughput: 'partitions', 'pollers', 'poller throughput', 'reserved concurrency' or 'sqs concurrency'
};
