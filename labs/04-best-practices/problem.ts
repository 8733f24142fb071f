import type { LabProblem } from '../lab-spec.ts';
import { BOOKING_MIX, BOOKINGS_TOPIC, RUN_WINDOW } from '../pipeline-defaults.ts';

// 200 bookings a second of which only confirmed ones matter, and 1% poison events.
export const problem: LabProblem = {
  id: '04-best-practices',
  number: 4,
  title: 'Best practices: filtering, error handling, parallel processing by key',
  teaches: 'Filter before you pay for an invocation, isolate poison events, and parallelize by key.',
  topic: BOOKINGS_TOPIC,
  // Each confirmed booking is written to the seat-inventory service: 20 ms of waiting for its
  // answer, during which the function's thread is free for other bookings.
  processor: { processingMsPerRecord: 20, workKind: 'io' },
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
