import type { LabProblem } from '../lab-spec.ts';
import { BOOKING_MIX, BOOKINGS_TOPIC, RUN_WINDOW } from '../pipeline-defaults.ts';

export const PEAK_RATE_PER_SEC = 600;

// A spike to 600 bookings a second, 10 ms of work each, and under 100 ms end to end at p50.
export const problem: LabProblem = {
  id: '02-low-latency',
  number: 2,
  title: 'Low latency: no batching window, provisioned pollers',
  teaches: 'Under 100 ms end to end needs window 0 and provisioned pollers sized for the peak.',
  topic: BOOKINGS_TOPIC,
  // Validating and pricing a booking: computed in the function.
  processor: { processingMsPerRecord: 10, workKind: 'cpu' },
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
