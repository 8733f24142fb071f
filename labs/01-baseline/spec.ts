import { ESM_METRICS_ON } from '../pipeline-defaults.ts';
import type { LabSpec } from '../lab-spec.ts';
import { problem } from './problem.ts';

// AWS defaults everywhere: batch 100, no batching window (so 500 ms applies), on-demand pollers.
// Only the ESM metrics are turned on, to watch it.
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
