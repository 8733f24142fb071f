// The result of running one lab in one place: what `workshop run --json` writes, what the HTML
// report and the end-of-run table render, and what tests assert the labs' lessons on.
// Every figure here is measured in the run, except `model`, which is computed from the spec.

import type { ProducerResult } from '../handlers/producer.ts';
import type { CapacityModel } from '../labs/capacity-model.ts';
import type { EsmLogSummary } from '../labs/esm-system-log.ts';
import type { LabSpec, Place } from '../labs/lab-spec.ts';
import type { SchemaValidationCost } from '../sandbox/kafka-esm/schema-decoder.ts';
import type { EsmMetricTotals } from './esm-metric-totals.ts';

export interface LatencySummary {
  min: number;
  avg: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  count: number;
}

export interface TargetCheck {
  name: string;
  expected: string;
  actual: string;
  pass: boolean;
  /** One line pointing at the knob that governs this number. */
  reason: string;
}

/** One second of the run, counted from the start of the load. */
export interface TimelinePoint {
  t: number;
  /** Events the schedule offered in this second. */
  offered: number;
  /** Events whose processing completed in this second. */
  processed: number;
  /** End-to-end latency of the events completed in this second (undefined when none). */
  p50?: number;
  p99?: number;
  max?: number;
  offsetLag: number;
  pollers: number;
  /** Concurrent invocations of the function the Kafka ESM invokes. */
  concurrency: number;
  /** Lab 3: concurrent invocations of the SQS processor, and the queue depth. */
  sqsConcurrency?: number;
  queueDepth?: number;
}

/** Every published event ends processed, filtered, dead-lettered or dropped; lost and duplicated are counted. */
export interface EventCounts {
  published: number;
  processed: number;
  filtered: number;
  deadLettered: number;
  /**
   * Dropped by the mapping (its DroppedEventCount): past the retries or the maximum age with no
   * on-failure destination, or its delivery to the destination failed. Handled, but not kept.
   */
  dropped: number;
  /**
   * Still in the topic, behind the mapping's committed offset, when the drain ended: the pipeline
   * fell behind. Not lost (a consumer of the group reads them next), but not handled in the run.
   */
  waiting: number;
  /** Neither processed, filtered, dead-lettered nor waiting: a real loss. */
  lost: number;
  duplicated: number;
}

/** The producer's schema evolution step (traffic.evolveSchemaAt), as the registry answered it. */
export type SchemaEvolutionOutcome = NonNullable<ProducerResult['schemaEvolution']>;

export interface LabRunResult extends EventCounts {
  lab: string;
  title: string;
  target: Place;
  runId: string;
  startedAt: string;
  /** The spec as run, after any --set overrides. */
  config: LabSpec;
  overrides: string[];
  model: CapacityModel;
  avgBatchSize: number;
  /** Warm-up excluded. */
  endToEndMs: LatencySummary;
  sendDelayMs: LatencySummary;
  /** Sustained processing rate after warm-up, events/s. */
  throughputPerSec: number;
  /** The schedule's average rate after warm-up, events/s. */
  offeredPerSec: number;
  targets: TargetCheck[];
  passed: boolean;
  timeline: TimelinePoint[];
  /** End-to-end latency distribution (warm-up excluded): bucket upper bounds in ms. */
  latencyHistogram: Array<{ upToMs: number; count: number }>;
  /** How many invocations carried each batch size. */
  batchSizes: Array<{ size: number; count: number }>;
  /** What this place does not model, and anything compressed (time scale). */
  notes: string[];
  /** Behaviour the run's function or configuration caused that the participant should know of. */
  warnings?: string[];
  /** The Kafka ESM's own metrics over the run (MetricsConfig groups and, provisioned, the poller metrics). */
  esmMetrics?: EsmMetricTotals;
  /** Lab 3's SQS mapping's own metrics over the run (EventCount and, provisioned, ProvisionedPollers). */
  sqsEsmMetrics?: EsmMetricTotals;
  /** The Kafka ESM's own log lines (LoggingConfig), when the spec sets a level and the place can read them. */
  esmSystemLog?: EsmLogSummary;
  /** With a SchemaRegistryConfig, locally: what validation cost the sandbox's pollers, measured. */
  schemaValidation?: SchemaValidationCost;
  /** traffic.evolveSchemaAt: version 2 registered and written with, and the incompatible version's answer. */
  schemaEvolution?: SchemaEvolutionOutcome;
  wallSeconds: number;
}

export interface RunReport {
  generatedAt: string;
  labs: LabRunResult[];
}
