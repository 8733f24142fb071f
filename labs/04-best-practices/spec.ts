import type { LabSpec } from '../lab-spec.ts';
import { ESM_METRICS_ON } from '../pipeline-defaults.ts';
import type { Prediction } from '../prediction.ts';
import { problem } from './problem.ts';

// Only confirmed bookings reach the function; a poison event is retried twice, bisected down
// to itself and parked in an SQS queue, while the rest of its batch is committed.
export const lab: LabSpec = {
  ...problem,
  kafkaEsm: {
    batchSize: 50,
    batchingWindowSeconds: 0,
    startingPosition: 'LATEST',
    provisionedPollers: { minimum: 1, maximum: 2 },
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

// What the rules give for it: 60% of the bookings pass the filter, a batch's bookings overlap so
// it takes one booking's 20 ms, 2 pollers drive at most 10 invocations, and their 5 MB/s each
// caps the throughput before the invocations do.
export const prediction: Prediction = { avgBatchSize: 1.2, p50Ms: 20, maxConcurrency: 10, bottleneck: 'poller throughput' };
