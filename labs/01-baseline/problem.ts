import type { LabProblem } from '../lab-spec.ts';
import { BOOKING_MIX, BOOKINGS_TOPIC, RUN_WINDOW } from '../pipeline-defaults.ts';

// 100 bookings a second; the targets are what AWS's defaults give, so the learner sees them.
export const problem: LabProblem = {
  id: '01-baseline',
  number: 1,
  title: 'Baseline: the out-of-the-box numbers',
  teaches: 'Know the defaults: a Kafka ESM waits up to 500 ms to fill a batch of 100.',
  topic: BOOKINGS_TOPIC,
  // Validating and pricing a booking: computed in the function.
  processor: { processingMsPerRecord: 2, workKind: 'cpu' },
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
