import { sizeProvisionedPollers } from '../capacity-model.ts';
import { BOOKING_MIX, BOOKINGS_TOPIC, ESM_METRICS_ON, RUN_WINDOW } from '../pipeline-defaults.ts';
import type { LabSpec } from '../lab-spec.ts';

const PROCESSING_MS_PER_RECORD = 10;
const PEAK_RATE_PER_SEC = 600;
const RECORDS_PER_BATCH = 10;

// Window 0 sends each record as soon as it is polled; provisioned pollers are sized for the
// spike with AWS's rule, with minimum = maximum so no rebalance pauses the spike.
export const lab: LabSpec = {
  id: '02-low-latency',
  number: 2,
  title: 'Low latency: no batching window, provisioned pollers',
  teaches: 'Under 100 ms end to end needs window 0 and provisioned pollers sized for the peak.',
  topic: BOOKINGS_TOPIC,
  kafkaEsm: {
    batchSize: RECORDS_PER_BATCH,
    batchingWindowSeconds: 0,
    startingPosition: 'LATEST',
    provisionedPollers: sizeProvisionedPollers({
      peakRatePerSec: PEAK_RATE_PER_SEC,
      recordsPerBatch: RECORDS_PER_BATCH,
      batchDurationMs: RECORDS_PER_BATCH * PROCESSING_MS_PER_RECORD,
    }),
    filters: [],
    metrics: ESM_METRICS_ON,
  },
  processor: { processingMsPerRecord: PROCESSING_MS_PER_RECORD, mode: 'sequential', memoryMb: 512, timeoutSeconds: 60 },
  traffic: {
    shape: 'spike',
    ratePerSec: 50,
    peakRatePerSec: PEAK_RATE_PER_SEC,
    spikeStartSec: 12,
    spikeDurationSec: 8,
    ...RUN_WINDOW,
    eventBytes: 512,
    statusMix: BOOKING_MIX,
    poisonShare: 0,
    seed: 2,
  },
  targets: {
    local: { endToEndP50MaxMs: 100, endToEndP99MaxMs: 600, minThroughputPerSec: 100, maxLost: 0 },
    aws: { endToEndP50MaxMs: 100, endToEndP99MaxMs: 500, minThroughputPerSec: 100, maxLost: 0 },
  },
};
