// Lab 5, your turn: lab 4's pipeline, but the producer writes each booking as Avro, framed with
// the id of its schema in a schema registry, and 1% carry an id the registry does not have.
// `problem` (the traffic, the work a booking takes and the targets) is the lab's: keep it.
// Check your work with `npx workshop check 5`.

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
    // TODO(lab 5): the values are Avro now. Have the mapping read them before this filter does.
    filters: [{ value: { status: ['CONFIRMED'] } }],
    metrics: ESM_METRICS_ON,
    systemLogLevel: 'INFO',
    maximumRetryAttempts: 2,
    maximumRecordAgeSeconds: 3600,
    bisectBatchOnFunctionError: true,
    reportBatchItemFailures: true,
    onFailure: { kind: 'sqs', queueName: 'bookings-failed' },
  },
  processor: { ...problem.processor, mode: 'parallel-by-key', memoryMb: 512, timeoutSeconds: 60 },
};

// TODO(lab 5): before your first check, write down what you expect your mapping to give.
export const prediction: Prediction = {
  avgBatchSize: undefined, // records per invocation of the booking processor, on average
  p50Ms: undefined, // median end-to-end latency, in ms
  maxConcurrency: undefined, // the most invocations of the booking processor at once this configuration allows
  bottleneck: undefined, // what caps the throughput: 'partitions', 'pollers', 'poller throughput', 'reserved concurrency' or 'sqs concurrency'
};
