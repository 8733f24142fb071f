import type { LabSpec } from '../lab-spec.ts';
import { ESM_METRICS_ON } from '../pipeline-defaults.ts';
import type { Prediction } from '../prediction.ts';
import { problem } from './problem.ts';

// The forwarder moves records to SQS, whose ESM scales past the partition count.
export const lab: LabSpec = {
  ...problem,
  kafkaEsm: {
    batchSize: 100,
    batchingWindowSeconds: 0,
    startingPosition: 'LATEST',
    filters: [],
    metrics: ESM_METRICS_ON,
  },
  processor: { ...problem.processor, mode: 'sequential', memoryMb: 512, timeoutSeconds: 30 },
  sqsBuffer: {
    batchSize: 10,
    batchingWindowSeconds: 0,
    maximumConcurrency: 40,
    visibilityTimeoutSeconds: 180,
    maxReceiveCount: 5,
  },
};

// What the rules give for it: at 200/s each SQS batch collects about 5 messages (500 ms of work,
// half of it before the median record completes), and the SQS mapping's maximum concurrency of 40
// caps the throughput at 400/s.
export const prediction: Prediction = { avgBatchSize: 5, p50Ms: 300, maxConcurrency: 40, bottleneck: 'sqs concurrency' };
