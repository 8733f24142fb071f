// Lab 1, your turn: create the event source mapping the way AWS does when you give it nothing but
// the topic, and measure what that gives. `problem` (the traffic, the work a booking takes and the
// targets) is the lab's: keep it. Check your work with `npx workshop check 1`.
import { ESM_METRICS_ON } from '../../pipeline-defaults.ts';
import type { LabSpec } from '../../lab-spec.ts';
import { problem } from '../problem.ts';

export const lab: LabSpec = {
  ...problem,
  kafkaEsm: {
    // TODO(lab 1): someone tuned this mapping before you. Leave every batching setting at AWS's default.
    batchSize: 10,
    batchingWindowSeconds: 0,
    startingPosition: 'LATEST',
    filters: [],
    metrics: ESM_METRICS_ON,
  },
  processor: { ...problem.processor, mode: 'sequential', memoryMb: 512, timeoutSeconds: 60 },
};
