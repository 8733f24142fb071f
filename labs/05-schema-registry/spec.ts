import type { LabSpec } from '../lab-spec.ts';
import { ESM_METRICS_ON } from '../pipeline-defaults.ts';
import type { Prediction } from '../prediction.ts';
import { problem } from './problem.ts';

// Lab 4's mapping, validating each value against the schema registry before its filter: the
// function gets the decoded booking as JSON, and a booking whose schema the registry does not
// have goes to the destination without an invocation (SCHEMA_NOT_FOUND).
export const lab: LabSpec = {
  ...problem,
  kafkaEsm: {
    batchSize: 50,
    batchingWindowSeconds: 0,
    startingPosition: 'LATEST',
    provisionedPollers: { minimum: 1, maximum: 2 },
    schemaRegistry: { eventRecordFormat: 'JSON', validate: ['VALUE'] },
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

// Lab 4's numbers: decoding happens in the poller, before the filter, so the batches, the work
// and the ceiling are lab 4's.
export const prediction: Prediction = { avgBatchSize: 1.2, p50Ms: 20, maxConcurrency: 10, bottleneck: 'poller throughput' };
