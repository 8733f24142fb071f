import { sizeProvisionedPollers } from '../capacity-model.ts';
import type { LabSpec } from '../lab-spec.ts';
import { ESM_METRICS_ON } from '../pipeline-defaults.ts';
import type { Prediction } from '../prediction.ts';
import { PEAK_RATE_PER_SEC, problem } from './problem.ts';

const RECORDS_PER_BATCH = 10;

// Window 0 sends each record as soon as it is polled; provisioned pollers are sized for the
// spike with AWS's rule, with minimum = maximum so no rebalance pauses the spike.
export const lab: LabSpec = {
  ...problem,
  kafkaEsm: {
    batchSize: RECORDS_PER_BATCH,
    batchingWindowSeconds: 0,
    startingPosition: 'LATEST',
    provisionedPollers: sizeProvisionedPollers({
      peakRatePerSec: PEAK_RATE_PER_SEC,
      recordsPerBatch: RECORDS_PER_BATCH,
      batchDurationMs: RECORDS_PER_BATCH * problem.processor.processingMsPerRecord,
    }),
    filters: [],
    metrics: ESM_METRICS_ON,
  },
  processor: { ...problem.processor, mode: 'sequential', memoryMb: 512, timeoutSeconds: 60 },
};

// What the rules give for it: with no window a batch is about one record at the base rate, an
// event waits only for its own 10 ms of work, and 2 pollers drive at most 10 invocations.
export const prediction: Prediction = { avgBatchSize: 1, p50Ms: 10, maxConcurrency: 10, bottleneck: 'pollers' };
