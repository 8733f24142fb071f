import { BOOKING_MIX, BOOKINGS_TOPIC, ESM_METRICS_ON, RUN_WINDOW } from '../pipeline-defaults.ts';
import type { LabSpec } from '../lab-spec.ts';

// Only confirmed bookings reach the function; a poison event is retried twice, bisected down
// to itself and parked in an SQS queue, while the rest of its batch is committed.
export const lab: LabSpec = {
  id: '04-best-practices',
  number: 4,
  title: 'Best practices: filtering, error handling, parallel processing by key',
  teaches: 'Filter before you pay for an invocation, isolate poison events, and parallelize by key.',
  topic: BOOKINGS_TOPIC,
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
  processor: { processingMsPerRecord: 20, mode: 'parallel-by-key', memoryMb: 512, timeoutSeconds: 60 },
  traffic: {
    shape: 'steady',
    ratePerSec: 200,
    ...RUN_WINDOW,
    eventBytes: 512,
    statusMix: BOOKING_MIX,
    poisonShare: 0.01,
    seed: 4,
  },
  targets: {
    local: { endToEndP50MaxMs: 100, endToEndP99MaxMs: 1000, minThroughputPerSec: 110, maxLost: 0 },
    aws: { endToEndP50MaxMs: 200, endToEndP99MaxMs: 1500, minThroughputPerSec: 110, maxLost: 0 },
  },
};
