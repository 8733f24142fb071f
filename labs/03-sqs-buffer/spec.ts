import { ESM_METRICS_ON } from '../pipeline-defaults.ts';
import type { LabSpec } from '../lab-spec.ts';
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
