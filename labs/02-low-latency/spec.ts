import { sizeProvisionedPollers } from '../capacity-model.ts';
import { ESM_METRICS_ON } from '../pipeline-defaults.ts';
import type { LabSpec } from '../lab-spec.ts';
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
