// What one bench run produces: the JSON kept under bench/results/ (small: summaries only, no
// per-event data).

import type { LatencySummary } from '../harness/run-result.ts';
import type { BacklogDrain } from './backlog-drain.ts';
import type { BenchCase, InstallCase, LatencyCase, ProducerCase, RoomCase, StartupCase, ThroughputCase } from './cases.ts';
import type { ContentionResult } from './contention.ts';
import type { MachineInfo } from './machine.ts';
import type { ProfileSummary } from './main-thread-profile.ts';
import type { ProbeResult } from './probe.ts';

export interface BrokerStart {
  /** Wall time of the startKafka() call. */
  wallMs: number;
  /** The broker's own measure: from launching the JVM (storage format included) to answering admin calls. */
  startMs: number;
  version: string | undefined;
  external: boolean;
}

export interface SandboxStart {
  /** Wall time of the startSandbox() call. */
  wallMs: number;
  /** sandbox.startMs */
  startMs: number;
  /** Wall time of sandbox.stop(). */
  stopMs: number;
}

export interface StartupResult {
  kind: 'startup';
  case: StartupCase;
  broker: BrokerStart;
  sandboxStarts: SandboxStart[];
  sandboxStartMedianMs: number;
  sandboxStopMedianMs: number;
}

export interface ConsumerMeasurement {
  processed: number;
  lost: number;
  duplicates: number;
  /** Warm-up excluded. */
  endToEndMs: LatencySummary;
}

/** The lab's pipeline as a case ran it: what each report's Setup line states. */
export interface PipelineSetup {
  lab: string;
  topic: string;
  partitions: number;
  batchSize: number;
  batchingWindowMs: number;
  pollers: string;
  processingMsPerRecord: number;
}

export interface LatencyResult {
  kind: 'latency';
  case: LatencyCase;
  setup: PipelineSetup & { plainConsumer: string };
  offered: number;
  published: number;
  sendDelayMs: LatencySummary;
  sandbox: ConsumerMeasurement & { avgBatchSize: number };
  plain: ConsumerMeasurement;
  /** sandbox - plain, and sandbox / plain. */
  overhead: { p50DiffMs: number; p99DiffMs: number; p50Ratio: number; p99Ratio: number };
  probe: ProbeResult;
}

export interface ProducerRun {
  shards: number;
  offered: number;
  published: number;
  /** Published events per second, from the first intended send until the last acknowledgement. */
  publishedPerSec: number;
  sendDelayMs: LatencySummary;
  probe: ProbeResult;
}

export interface ProducerResult {
  kind: 'producer';
  case: ProducerCase;
  runs: ProducerRun[];
}

/** Processor invocations of a step, as the local Lambda runtime recorded them. */
export interface InvocationStats {
  count: number;
  /** Handler time (Lambda's Duration). */
  handlerMs: LatencySummary;
  /** From the ESM's invoke call until its result: handler time plus the runtime's round trip. */
  invokeMs: LatencySummary;
}

export interface ThroughputStep {
  ratePerSec: number;
  offered: number;
  published: number;
  processed: number;
  lost: number;
  duplicates: number;
  /** Completions in the step's measured window (warm-up excluded, shifted by the median latency) per second. */
  throughputPerSec: number;
  endToEndMs: LatencySummary;
  sendDelayMs: LatencySummary;
  producerShards: number;
  publishedPerSec: number;
  avgBatchSize: number;
  invocations: InvocationStats;
  peakOffsetLag: number;
  peakPollers: number;
  peakConcurrency: number;
  /** Whether every published event was processed and the offset lag was 0 within the drain timeout. */
  drained: boolean;
  /** Seconds from the end of the load until drained (or the timeout). */
  drainSec: number;
  keptUp: boolean;
  /** Why it did not keep up, empty when it did. */
  why: string;
  probe: ProbeResult;
}

export interface ThroughputResult {
  kind: 'throughput';
  case: ThroughputCase;
  setup: PipelineSetup & { eventBytes: number };
  steps: ThroughputStep[];
  /** The same backlog read by a plain kafkajs consumer and by the ESM, or why it could not be measured. */
  backlog: BacklogDrain | { error: string };
  /** The highest offered rate that kept up with zero loss; null when none did. */
  highestSustainedPerSec: number | null;
  stoppedBecause: string;
}

export interface RoomResult {
  kind: 'room';
  case: RoomCase;
  /** Posts sent, answered 200, and counted by the board. */
  sent: number;
  answered200: number;
  accepted: number;
  /** Posts the board did not count, plus participants whose last report it does not show. */
  lost: number;
  /** Participants whose last report reached the page. */
  shownLast: number;
  /** From a post being sent to the page's event carrying it. */
  updateMs: LatencySummary;
  /** A post's round trip. */
  postMs: LatencySummary;
  wallSec: number;
  metGoal: boolean;
}

export interface InstallResult {
  kind: 'install';
  case: InstallCase;
  /** The npm cache after `npm install` into an empty one: everything npm downloaded. */
  npmBytes: number;
  /** The jars labs 1-4 need, fetched into an empty jar cache. */
  jarBytes: number;
  /** The schema registry's archive, unpacked: what the schema registry lab adds on its first run (absent in older results). */
  registryBytes?: number;
  /** The npm cache of `npm run aws:setup` alone: what the AWS path adds. */
  awsBytes: number;
  nodeModulesBytes: number;
  coldSec: number;
  warmSec: number[];
  warmMedianSec: number;
  jarsSec: number;
  awsSec: number;
  metGoal: boolean;
}

export interface FailedCase {
  kind: BenchCase['kind'];
  case: BenchCase;
  error: string;
}

export type CaseResult = StartupResult | LatencyResult | ProducerResult | ThroughputResult | ContentionResult | RoomResult | InstallResult | FailedCase;

export function isFailed(result: CaseResult): result is FailedCase {
  return 'error' in result;
}

export interface BenchRun {
  /** Bump when the shape changes. */
  schema: 1;
  startedAt: string;
  finishedAt: string;
  wallSeconds: number;
  quick: boolean;
  interrupted: boolean;
  machine: MachineInfo;
  kafkaVersion: string | undefined;
  timeScale: number;
  results: CaseResult[];
  notes: string[];
  /** `--profile`: where the main thread's time went during the cases (the profiler slows the run). */
  mainThreadProfile?: ProfileSummary & { file: string };
}
