// Lab 4, your turn: 200 bookings a second, only confirmed ones matter, and 1% are poison events
// that fail every time. `problem` (the traffic, the work a booking takes and the targets) is the
// lab's: keep it. Your processor is booking-processor.ts, next to this file.
// Check your work with `npx workshop check 4`.

import type { LabSpec } from '../../lab-spec.ts';
import { ESM_METRICS_ON } from '../../pipeline-defaults.ts';
import type { Prediction } from '../../prediction.ts';
import { problem } from '../problem.ts';

export const lab: LabSpec = {
  ...problem,
  kafkaEsm: {
    batchSize: 50,
    batchingWindowSeconds: 0,
    startingPosition: 'LATEST',
    provisionedPollers: { minimum: 1, maximum: 2 },
    // TODO(lab 4): invoke the function only for the bookings it acts on.
    filters: [],
    metrics: ESM_METRICS_ON,
    systemLogLevel: 'INFO',
    // TODO(lab 4): a poison event fails every time. Keep it from blocking its partition, and keep it.
  },
  // TODO(lab 4): let records of different bookings overlap in one invocation.
  processor: { ...problem.processor, mode: 'sequential', memoryMb: 512, timeoutSeconds: 60 },
};

// TODO(lab 4): before your first check, write down what you expect your mapping to give.
export const prediction: Prediction = {
  avgBatchSize: undefined, // records per invocation of the booking processor, on average
  p50Ms: undefined, // median end-to-end latency, in ms
  maxConcurrency: undefined, // the most invocations of the booking processor at once this configuration allows
  bottleneck: undefined, // what caps the throughput: 'partitions', 'pollers', 'poller throughput', 'reserved concurrency' or 'sqs concurrency'
};
