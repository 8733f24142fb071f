// What every lab shares: one topic in the base stack, so moving between labs changes the
// consumer, never the cluster or the data.
import { ESM_METRIC_GROUPS, type EsmMetricGroup } from './esm-metrics.ts';
import type { TrafficSpec } from './lab-spec.ts';

export const BOOKINGS_TOPIC = { name: 'bookings', partitions: 12 } as const;

export const BOOKING_MIX: TrafficSpec['statusMix'] = { CONFIRMED: 0.6, PENDING: 0.3, CANCELLED: 0.1 };

/** Durations every lab's traffic uses unless it has a reason not to. */
export const RUN_WINDOW = { durationSec: 30, warmUpSec: 5, drainTimeoutSec: 30 } as const;

/** Every lab turns on all three ESM metric groups: they cost nothing to read and explain each run. */
export const ESM_METRICS_ON: EsmMetricGroup[] = [...ESM_METRIC_GROUPS];
