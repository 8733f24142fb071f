import type { LabProblem } from '../lab-spec.ts';
import { BOOKING_MIX, BOOKINGS_TOPIC, RUN_WINDOW } from '../pipeline-defaults.ts';

// At 100 ms a booking, 12 partitions give at most 120 bookings/s however the ESM is tuned, and
// 200 a second arrive.
export const problem: LabProblem = {
  id: '03-sqs-buffer',
  number: 3,
  title: 'SQS buffer: throughput beyond the partition limit',
  teaches: 'A Kafka ESM never runs more invocations than partitions; SQS lets a slow processor scale out.',
  topic: BOOKINGS_TOPIC,
  // The fare rules and the fraud score of a booking, computed in the function: 100 ms of its one
  // thread, so records of one invocation can never overlap; only more invocations process more.
  processor: { processingMsPerRecord: 100, workKind: 'cpu' },
  traffic: {
    shape: 'steady',
    ratePerSec: 200,
    ...RUN_WINDOW,
    // SQS starts at 5 concurrent batches and adds up to 300 a minute, and the forwarder's
    // on-demand pollers grow every minute; then the backlog of those minutes drains. Measured
    // locally: about 15 s to steady state (five compressed minutes), so the warm-up covers them
    // and the run is longer, to keep 25 s measured.
    durationSec: 40,
    warmUpSec: 15,
    eventBytes: 512,
    statusMix: BOOKING_MIX,
    poisonShare: 0,
    seed: 3,
  },
  targets: {
    local: { endToEndP50MaxMs: 3000, endToEndP99MaxMs: 8000, minThroughputPerSec: 190, maxLost: 0 },
    aws: { endToEndP50MaxMs: 1500, endToEndP99MaxMs: 5000, minThroughputPerSec: 190, maxLost: 0 },
  },
};
