// What a learner expects before a check measures: four of the quantities the capacity model
// computes, written in their exercise's spec.ts (`export const prediction`). `workshop check`
// runs no traffic until they are written, then shows each beside the model's figure and the run's.
import type { Bottleneck } from './capacity-model.ts';

export { BOTTLENECKS, type Bottleneck } from './capacity-model.ts';

export interface Prediction {
  /** Records per invocation of the booking processor, on average. */
  avgBatchSize?: number;
  /** Median end-to-end latency, in milliseconds. */
  p50Ms?: number;
  /** The most invocations of the booking processor at once that the configuration allows. */
  maxConcurrency?: number;
  /** What caps the throughput: one of BOTTLENECKS. */
  bottleneck?: Bottleneck;
}

/** The quantities, in the order they are shown, each with its label. */
export const PREDICTED: ReadonlyArray<{ key: keyof Prediction; label: string }> = [
  { key: 'avgBatchSize', label: 'average batch (records)' },
  { key: 'p50Ms', label: 'median end to end (ms)' },
  { key: 'maxConcurrency', label: 'most invocations at once' },
  { key: 'bottleneck', label: 'what caps the throughput' },
];
