// Lab 4, your turn: 200 bookings a second, only confirmed ones matter, and 1% are poison events
// that fail every time. `problem` (the traffic, the work a booking takes and the targets) is the
// lab's: keep it. Your processor is booking-processor.ts, next to this file.
// Check your work with `npx workshop check 4`.
import { ESM_METRICS_ON } from '../../pipeline-defaults.ts';
import type { LabSpec } from '../../lab-spec.ts';
import { problem } from '../problem.ts';

export const lab: LabSpec = {
  ...problem,
  kafkaEsm: {
    batchSize: 50,
    batchingWindowSeconds: 0,
    startingPosition: 'LATEST',
    provisionedPollers: { minimum: 1, maximum: 2 },
    // TODO(lab 4): invoke the function only for the bookings it acts on.
    filters: [],
    metrics: ESM_METRICS_ON,
    systemLogLevel: 'INFO',
    // TODO(lab 4): a poison event fails every time. Keep it from blocking its partition, and keep it.
  },
  // TODO(lab 4): let records of different bookings overlap in one invocation.
  processor: { ...problem.processor, mode: 'sequential', memoryMb: 512, timeoutSeconds: 60 },
};
