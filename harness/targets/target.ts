// Where a lab runs, behind one interface: the local sandbox (targets/local.ts) or a deployed
// AWS stack (targets/aws.ts). The harness above it schedules the load, keeps the statistics and
// checks the targets the same way for both.
import type { EsmLogSummary } from '../../labs/esm-system-log.ts';
import type { LabSpec, Place, TrafficProfile } from '../../labs/lab-spec.ts';
import type { SchemaValidationCost } from '../../sandbox/kafka-esm/schema-decoder.ts';
import type { MetricWindow } from '../dashboard/metric-window.ts';
import type { EsmMetricTotals } from '../esm-metric-totals.ts';
import type { SchemaEvolutionOutcome } from '../run-result.ts';

export interface RunPlan {
  runId: string;
  /** Epoch ms at which the schedule starts. */
  startAtMs: number;
  profile: TrafficProfile;
}

export interface PublishSummary {
  published: number;
  poison: number;
  failedToPublish: number;
  /** Actual minus intended send time of each event, ms (or a summary's raw values). */
  sendDelaysMs: number[];
  /** traffic.evolveSchemaAt: what the producer's schema evolution step met. */
  schemaEvolution?: SchemaEvolutionOutcome;
}

/** A processing of one event, as the processor logged it (duplicates appear twice). */
export interface ProcessedEvent {
  seq: number;
  endToEndMs: number;
  /** Epoch ms when it completed (approximately: the end of its batch's log line). */
  completedAt: number;
}

/** What the place observed for a run, after the drain. */
export interface Observations {
  processed: ProcessedEvent[];
  /** Seqs the mapping's filter dropped. */
  filteredSeqs: number[];
  /** Seqs delivered to the on-failure destination or to the buffer's DLQ. */
  deadLetteredSeqs: number[];
  /** Seqs the mapping dropped (DroppedEventCount), when the place can tell which. */
  droppedSeqs?: number[];
  /** Records per invocation of the processor. */
  batchSizes: number[];
  /** Seqs still behind their partition's committed offset when the drain ended (the pipeline fell behind). */
  waitingSeqs?: number[];
  /** Seqs the topic holds for the run, when the place can read it back (the local ledger). */
  publishedSeqs?: number[];
}

/** A live reading while the load runs (also kept for the timeline). */
export interface LiveSample {
  at: number;
  processedSoFar: number;
  offsetLag: number;
  pollers: number;
  concurrency: number;
  sqsConcurrency?: number;
  queueDepth?: number;
  /** End-to-end latencies of events completed since the previous sample. */
  recentEndToEndMs: number[];
  /** The functions' metrics since the previous sample, when the place has them live (local). */
  metrics?: MetricWindow;
  /** The Kafka ESM's own metrics since the previous sample, when the place has them live (local). */
  esmMetrics?: EsmMetricTotals;
}

export interface PreparedLab {
  /** Lines for the report header: what this place does not model, time compression, endpoints. */
  notes(): string[];
  /** What the participant's configuration or code caused that AWS would do too, and may surprise. */
  warnings?(): string[];
  /** The Kafka ESM's own metrics since the lab was prepared (or over the run's window, on AWS). */
  esmMetrics?(runId: string): Promise<EsmMetricTotals>;
  /** Lab 3's SQS mapping's own metrics, likewise; undefined for a lab without the buffer. */
  sqsEsmMetrics?(runId: string): Promise<EsmMetricTotals | undefined>;
  /** With a SchemaRegistryConfig (local): what validating the records cost the mapping's pollers. */
  schemaValidationCost?(): SchemaValidationCost | undefined;
  /** The Kafka ESM's system log lines since the lab was prepared, when the spec sets LoggingConfig. */
  esmSystemLog?(): EsmLogSummary | undefined;
  publish(plan: RunPlan): Promise<PublishSummary>;
  sample(): Promise<LiveSample>;
  /** Whether every published event is accounted for (processed, filtered or dead-lettered). */
  accountedFor(runId: string, published: number): Promise<boolean>;
  observe(runId: string, published: number): Promise<Observations>;
  close(): Promise<void>;
}

export interface LabTarget {
  readonly place: Place;
  /**
   * What can be refused without starting anything (a missing deployment, a spec the place cannot
   * run): checked before any progress is shown, so a refusal is the only line printed.
   */
  preflight?(lab: LabSpec): void;
  prepare(lab: LabSpec): Promise<PreparedLab>;
  close(): Promise<void>;
}
