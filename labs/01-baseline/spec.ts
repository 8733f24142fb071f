import type { LabSpec } from '../lab-spec.ts';
import { ESM_METRICS_ON } from '../pipeline-defaults.ts';
import type { Prediction } from '../prediction.ts';
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

// What the rules give for it: the window closes before a batch fills (1 + 100/s × 0.5 s ≈ 51), an
// event waits half the window plus half its batch's work (≈ 300 ms), and a partition has one
// batch in flight (12 at most).
export const prediction: Prediction = { avgBatchSize: 51, p50Ms: 300, maxConcurrency: 12, bottleneck: 'partitions' };
