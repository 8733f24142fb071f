import { BOOKING_MIX, BOOKINGS_TOPIC, ESM_METRICS_ON, RUN_WINDOW } from '../pipeline-defaults.ts';
import type { LabSpec } from '../lab-spec.ts';

// AWS defaults everywhere: batch 100, no batching window (so 500 ms applies), on-demand pollers.
// Only the ESM metrics are turned on, to watch it.
export const lab: LabSpec = {
  id: '01-baseline',
  number: 1,
  title: 'Baseline: the out-of-the-box numbers',
  teaches: 'Know the defaults: a Kafka ESM waits up to 500 ms to fill a batch of 100.',
  topic: BOOKINGS_TOPIC,
  kafkaEsm: {
    batchSize: 100,
    startingPosition: 'LATEST',
    filters: [],
    metrics: ESM_METRICS_ON,
  },
  processor: { processingMsPerRecord: 2, mode: 'sequential', memoryMb: 512, timeoutSeconds: 60 },
  traffic: {
    shape: 'steady',
    ratePerSec: 100,
    ...RUN_WINDOW,
    eventBytes: 512,
    statusMix: BOOKING_MIX,
    poisonShare: 0,
    seed: 1,
  },
  targets: {
    local: { endToEndP50MaxMs: 600, endToEndP99MaxMs: 1200, minThroughputPerSec: 95, avgBatchSize: { expected: 51, tolerance: 0.3 }, maxLost: 0 },
    aws: { endToEndP50MaxMs: 800, endToEndP99MaxMs: 2000, minThroughputPerSec: 95, avgBatchSize: { expected: 51, tolerance: 0.4 }, maxLost: 0 },
  },
};
