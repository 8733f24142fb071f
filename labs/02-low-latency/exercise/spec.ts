// Lab 2, your turn: this is lab 1's mapping, and a spike to 600 bookings a second needs under
// 100 ms end to end. `problem` (the traffic, the work a booking takes and the targets) is the
// lab's: keep it. Check your work with `npx workshop check 2`.

// sizeProvisionedPollers({ peakRatePerSec, recordsPerBatch, batchDurationMs }) sizes pollers by
// AWS's rule; you may need it, and the spike's PEAK_RATE_PER_SEC.
import { sizeProvisionedPollers } from '../../capacity-model.ts';
import type { LabSpec } from '../../lab-spec.ts';
import { ESM_METRICS_ON } from '../../pipeline-defaults.ts';
import type { Prediction } from '../../prediction.ts';
import { PEAK_RATE_PER_SEC, problem } from '../problem.ts';

export const lab: LabSpec = {
  ...problem,
  kafkaEsm: {
    // TODO(lab 2): make the mapping invoke as soon as records arrive, with pollers ready for the spike.
    batchSize: 100,
    startingPosition: 'LATEST',
    filters: [],
    metrics: ESM_METRICS_ON,
  },
  processor: { ...problem.processor, mode: 'sequential', memoryMb: 512, timeoutSeconds: 60 },
};

// TODO(lab 2): before your first check, write down what you expect your mapping to give.
export const prediction: Prediction = {
  avgBatchSize: undefined, // records per invocation of the booking processor, on average
  p50Ms: undefined, // median end-to-end latency, in ms
  maxConcurrency: undefined, // the most invocations of the booking processor at once this configuration allows
  bottleneck: undefined, // what caps the throughput: 'partitions', 'pollers', 'poller throughput', 'reserved concurrency' or 'sqs concurrency'
};
