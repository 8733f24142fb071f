// What a lab's configuration should give, computed from the spec alone, so participants can
// predict a number before they measure it. It models the ESM rules in sandbox/MODEL.md:
// a batch closes at the first of window, size or 6 MB; a partition has at most one batch in
// flight; a poller drives at most 5 concurrent invocations; on-demand pollers follow the lag.

import {
  INVOCATIONS_PER_KAFKA_POLLER,
  INVOCATIONS_PER_SQS_POLLER,
  INVOKE_PAYLOAD_LIMIT_BYTES,
  KAFKA_POLLER_BYTES_PER_SEC,
  kafkaWindowMs,
  LAMBDA_DOCS,
  SQS_MAX_CONCURRENCY,
  sqsWindowMs,
} from './aws-limits.ts';
import { eventPollerUnits, eventPollerUnitsBound } from './event-poller-units.ts';
import type { LabSpec, ProcessorSpec } from './lab-spec.ts';
import { lagTooHigh, pollersForLag } from './on-demand-lag.ts';

/** What caps a stage's throughput, as a learner names it in a prediction. */
export const BOTTLENECKS = ['partitions', 'pollers', 'poller throughput', 'reserved concurrency', 'sqs concurrency'] as const;
export type Bottleneck = (typeof BOTTLENECKS)[number];

export interface StageModel {
  /** The ESM that feeds this stage. */
  source: 'kafka' | 'sqs';
  /** Kafka: the pollers the stage settles at under the offered rate. */
  pollers?: number;
  batchingWindowMs: number;
  /** Most concurrent invocations this stage can reach. */
  concurrencyLimit: number;
  /** Why the concurrency stops there. */
  concurrencyBound: string;
  /** What caps the stage's throughput (maxThroughputPerSec). */
  bottleneck: Bottleneck;
  /** Why the throughput stops there: the concurrency bound, or the pollers' 5 MB/s. */
  ceilingBound: string;
  /**
   * On-demand Kafka only: the ceiling with the one poller a mapping starts with. Scaling adds
   * pollers a minute's evaluation later at the soonest (AWS: within three minutes of it), so a
   * spike above this waits in the topic.
   */
  startingCeilingPerSec?: number;
  /**
   * Provisioned Kafka only: the Event Poller Units the mapping holds at the peak, from its pollers
   * and the bytes they read then (labs/event-poller-units.ts), and which of the two decides.
   */
  eventPollerUnits?: { count: number; bound: string };
  /**
   * Kafka with a SchemaRegistryConfig: what the pollers decode before the filter. AWS says only
   * that a registry "may increase your Lambda Event Poller Unit (EPU) usage"
   * (services-consume-kafka-events.html) and gives no figure, so the model counts no extra EPU
   * and says so; the run measures the sandbox's own decoding time.
   */
  schemaValidation?: string;
  expectedBatchSize: number;
  batchDurationMs: number;
  maxThroughputPerSec: number;
  /** Records a second this stage's function is invoked with at the offered rate (after filters). */
  invokedRatePerSec: number;
  /**
   * The median record's time in this stage: half the window waiting for its batch, then the work
   * before it completes (half its batch's, or one record's when the batch's records overlap).
   */
  latencyMs: { window: number; work: number };
}

export interface CapacityModel {
  labId: string;
  offeredRatePerSec: number;
  peakRatePerSec: number;
  stages: StageModel[];
  /** Average messages in the batches the processor receives. */
  expectedBatchSize: number;
  /** Expected median end-to-end latency at the offered rate, before any network overhead. */
  latencyFloorMs: number;
  /** The slowest stage's ceiling. */
  maxThroughputPerSec: number;
  /** maxThroughput / peak offered: below 1 the pipeline falls behind at the peak. */
  headroom: number;
  /**
   * On-demand Kafka: the headroom with the one poller the mapping starts with. Below 1, the peak
   * waits in the topic until a scaling step, which on AWS comes minutes later.
   */
  startingHeadroom?: number;
  /** The slowest stage and why its throughput stops there, e.g. "Kafka ESM: 12 partitions (...)". */
  bottleneck: string;
  bottleneckKind: Bottleneck;
}

/** Records of a batch overlap only when they are scheduled by key and their work waits (io). */
export function overlapsByKey(processor: ProcessorSpec): boolean {
  return processor.mode === 'parallel-by-key' && processor.workKind === 'io';
}

/** Duration of one batch of `records` records (distinct keys) under the processor's mode and work. */
export function batchDurationMs(records: number, processor: ProcessorSpec): number {
  if (overlapsByKey(processor)) return processor.processingMsPerRecord;
  return records * processor.processingMsPerRecord;
}

export function batchingWindowMs(spec: LabSpec): number {
  return kafkaWindowMs(spec.kafkaEsm.batchingWindowSeconds);
}

/** AWS's words for the buffer above the peak (with-kafka-low-latency.html, the note under its sizing example). */
export const POLLER_BUFFER_ADVICE = 'We recommend to provision additional event pollers as buffer to avoid consistently operating at maximum capacity';

/**
 * AWS recommends a buffer of pollers above the peak (POLLER_BUFFER_ADVICE) and names no figure:
 * the workshop sizes for a quarter more than the peak.
 */
export const POLLER_HEADROOM = 0.25;

export interface PollerSizingInput {
  peakRatePerSec: number;
  recordsPerBatch: number;
  batchDurationMs: number;
  /** The share above the peak to size for; default POLLER_HEADROOM. */
  headroom?: number;
}

/** The pollers a peak needs, with the numbers that give them and the reason in words. */
export interface PollerSizing {
  pollers: number;
  /** Records a second one poller carries: 5 invocations × batch ÷ batch duration. */
  perPollerPerSec: number;
  /** The rate the pollers are sized for: the peak and its headroom. */
  sizedForPerSec: number;
  headroom: number;
  reason: string;
}

/**
 * AWS's provisioned-poller sizing rule: one poller drives 5 concurrent invocations, so it
 * handles 5 × recordsPerBatch / batchDuration records per second (20 records in 50 ms gives
 * 2,000 records/s); pollers = (peak + headroom) ÷ that, rounded up (with-kafka-low-latency.html).
 */
export function provisionedPollersSizing(input: PollerSizingInput): PollerSizing {
  const headroom = input.headroom ?? POLLER_HEADROOM;
  const perPollerPerSec = recordsPerPollerPerSec(input.recordsPerBatch, input.batchDurationMs);
  const sizedForPerSec = input.peakRatePerSec * (1 + headroom);
  const pollers = Math.max(1, Math.ceil(sizedForPerSec / perPollerPerSec));
  const plural = pollers === 1 ? '' : 's';
  const rate = `${round(perPollerPerSec)} records/s per poller (${INVOCATIONS_PER_KAFKA_POLLER} invocations × ${input.recordsPerBatch} records ÷ ${round(input.batchDurationMs)} ms)`;
  const why = headroom > 0 ? `the headroom because AWS advises: "${POLLER_BUFFER_ADVICE}"` : `no headroom, against AWS's advice: "${POLLER_BUFFER_ADVICE}"`;
  const reason =
    `${pollers} poller${plural} for the ${round(input.peakRatePerSec)}/s peak plus ${round(headroom * 100)}% headroom, ${round(sizedForPerSec)}/s, at ${rate}; ` +
    `${why} (${LAMBDA_DOCS}with-kafka-low-latency.html). Minimum = maximum, so no scaling step (a rebalance) pauses a spike.`;
  return {
    pollers,
    perPollerPerSec: round(perPollerPerSec),
    sizedForPerSec: round(sizedForPerSec),
    headroom,
    reason,
  };
}

/**
 * The provisionedPollers a spec sets from provisionedPollersSizing: minimum = maximum turns
 * autoscaling off, so a spike never waits for a rebalance. The reason stays with the sizing, as a
 * spec's provisionedPollers holds only AWS's fields.
 */
export function sizeProvisionedPollers(input: PollerSizingInput): { minimum: number; maximum: number } {
  const { pollers } = provisionedPollersSizing(input);
  return { minimum: pollers, maximum: pollers };
}

/** What one Kafka poller carries at most: 5 invocations, each `recordsPerBatch` in `batchDurationMs`. */
export function recordsPerPollerPerSec(recordsPerBatch: number, batchDurationMs: number): number {
  return (INVOCATIONS_PER_KAFKA_POLLER * recordsPerBatch * 1000) / batchDurationMs;
}

export function peakRatePerSec(spec: LabSpec): number {
  const t = spec.traffic;
  return t.shape === 'steady' ? t.ratePerSec : Math.max(t.ratePerSec, t.peakRatePerSec ?? t.ratePerSec);
}

function kafkaStage(spec: LabSpec, rate: number, recordMs: ProcessorSpec): StageModel {
  const partitions = spec.topic.partitions;
  const esm = spec.kafkaEsm;
  const windowMs = batchingWindowMs(spec);
  const provisioned = esm.provisionedPollers;
  const reserved = spec.sqsBuffer ? undefined : spec.processor.reservedConcurrency;
  const sizeCap = Math.min(esm.batchSize, Math.floor(INVOKE_PAYLOAD_LIMIT_BYTES / spec.traffic.eventBytes));
  const passRate = rate * kafkaPassShare(spec);
  const fullBatchMs = Math.max(batchDurationMs(sizeCap, recordMs), 0.001);
  // Every poller drives at most 5 invocations and a partition has one batch in flight.
  const concurrencyAt = (pollers: number) => Math.min(partitions, pollers * INVOCATIONS_PER_KAFKA_POLLER, reserved ?? Infinity);
  // A poller also reads at most 5 MB/s: large events hit that before the invocation limit.
  const bytesCeilingAt = (pollers: number) => (pollers * KAFKA_POLLER_BYTES_PER_SEC) / spec.traffic.eventBytes;
  const ceilingAt = (pollers: number) => Math.min((concurrencyAt(pollers) * sizeCap * 1000) / fullBatchMs, bytesCeilingAt(pollers));
  const steady = (pollers: number) => steadyBatch(passRate, pollers, partitions, windowMs, sizeCap, recordMs, ceilingAt(pollers));

  let pollers = provisioned ? Math.min(provisioned.minimum, partitions) : 1;
  if (!provisioned) {
    // The on-demand rule (labs/on-demand-lag.ts) on the lag the offered rate holds at
    // steady state: by Little's law, the rate times how long a record waits to be committed.
    for (let step = 0; step < partitions; step++) {
      const { batch, saturated } = steady(pollers);
      const commitWaitMs = (windowMs > 0 ? windowMs / 2 : batchDurationMs(batch, recordMs) / 2) + batchDurationMs(batch, recordMs);
      const lag = saturated ? Infinity : (passRate * commitWaitMs) / 1000;
      if (!lagTooHigh(lag, pollers, esm.batchSize)) break;
      const next = Math.max(pollers, pollersForLag(lag, esm.batchSize, partitions));
      if (next === pollers) break;
      pollers = next;
    }
  }
  const maxPollers = provisioned ? Math.min(provisioned.maximum, partitions) : partitions;
  const concurrencyLimit = concurrencyAt(maxPollers);
  const pollersText = `${maxPollers} poller${maxPollers === 1 ? '' : 's'}`;
  let concurrencyBound = `${partitions} partitions (one batch in flight per partition)`;
  let bottleneck: Bottleneck = 'partitions';
  if (reserved !== undefined && reserved === concurrencyLimit && reserved < partitions) {
    concurrencyBound = `reserved concurrency ${reserved}`;
    bottleneck = 'reserved concurrency';
  } else if (concurrencyLimit < partitions) {
    concurrencyBound = `${pollersText} × ${INVOCATIONS_PER_KAFKA_POLLER} invocations`;
    bottleneck = 'pollers';
  }
  const { batch } = steady(pollers);
  // At the peak the pollers read every record (filters apply after polling), as fast as their 5 MB/s allows.
  const peakLoad = { pollers: maxPollers, bytesPerSec: Math.min(peakRatePerSec(spec) * spec.traffic.eventBytes, maxPollers * KAFKA_POLLER_BYTES_PER_SEC) };
  const invocationCeiling = (concurrencyLimit * sizeCap * 1000) / fullBatchMs;
  const bytesCeiling = bytesCeilingAt(maxPollers);
  let ceilingBound = concurrencyBound;
  if (bytesCeiling < invocationCeiling) {
    ceilingBound = `${pollersText} × 5 MB/s of ${spec.traffic.eventBytes}-byte events`;
    bottleneck = 'poller throughput';
  }
  return {
    source: 'kafka',
    pollers,
    batchingWindowMs: windowMs,
    concurrencyLimit,
    concurrencyBound,
    bottleneck,
    ceilingBound,
    ...(provisioned
      ? { eventPollerUnits: { count: eventPollerUnits(peakLoad), bound: eventPollerUnitsBound(peakLoad) } }
      : { startingCeilingPerSec: round(ceilingAt(1)) }),
    ...(spec.kafkaEsm.schemaRegistry
      ? {
          schemaValidation: `${spec.kafkaEsm.schemaRegistry.validate.join(' and ')} of every polled record (${peakRatePerSec(spec)}/s at the peak) decoded before the filter, handed on as ${spec.kafkaEsm.schemaRegistry.eventRecordFormat}; AWS publishes no cost per record (a registry "may increase your EPU usage"), so no EPU is added for it: the run's EventPollerUnit shows it`,
        }
      : {}),
    expectedBatchSize: round(Math.max(1, batch)),
    batchDurationMs: round(batchDurationMs(batch, recordMs)),
    maxThroughputPerSec: round(Math.min(invocationCeiling, bytesCeiling)),
    invokedRatePerSec: round(passRate),
    latencyMs: medianLatency(windowMs, Math.max(1, batch), recordMs),
  };
}

/**
 * The batch a poller forms at steady state. A batch collects for the window from its first
 * record; with no window it holds the first record plus whatever its partition received while
 * the previous batch was in flight. Past the ceiling records queue up and batches are full.
 */
function steadyBatch(
  passRate: number,
  pollers: number,
  partitions: number,
  windowMs: number,
  sizeCap: number,
  recordMs: ProcessorSpec,
  ceilingPerSec: number,
): { batch: number; saturated: boolean } {
  if (passRate > ceilingPerSec) return { batch: sizeCap, saturated: true };
  const perPartition = passRate / partitions;
  let batch = windowMs > 0 ? recordsPerWindow(passRate, pollers, windowMs) : 1;
  for (let i = 0; i < 20; i++) {
    const busyMs = batchDurationMs(batch, recordMs);
    const next = windowMs > 0 ? recordsPerWindow(passRate, pollers, windowMs) : 1 + perPartition * (busyMs / 1000);
    batch = Math.min(sizeCap, next);
  }
  return { batch, saturated: false };
}

/** What a poller collects in a window: the record that opened it and the window's worth of its share of the rate. */
export function recordsPerWindow(ratePerSec: number, pollers: number, windowMs: number): number {
  return 1 + (ratePerSec / pollers) * (windowMs / 1000);
}

/** Share of records that reach the function: filters drop the rest before invoking. */
function kafkaPassShare(spec: LabSpec): number {
  if (spec.kafkaEsm.filters.length === 0) return 1;
  return statusShareMatching(spec);
}

/**
 * The labs filter on booking status only; the share that passes is the matching weights. Any
 * other pattern is not modelled and counts as passing everything.
 */
function statusShareMatching(spec: LabSpec): number {
  const mix = spec.traffic.statusMix;
  const total = Object.values(mix).reduce((a, b) => a + b, 0);
  const allowed = new Set<string>();
  for (const filter of spec.kafkaEsm.filters) {
    const status = (filter.value as Record<string, unknown>).status;
    if (!Array.isArray(status) || !status.every((s) => typeof s === 'string')) return 1;
    for (const s of status) allowed.add(s as string);
  }
  const passing = Object.entries(mix).reduce((sum, [status, weight]) => sum + (allowed.has(status) ? weight : 0), 0);
  // Poison events are crafted to pass the filter (they must reach the function to fail there).
  const poison = spec.traffic.poisonShare;
  return (1 - poison) * (passing / total) + poison;
}

function sqsStage(spec: LabSpec, rate: number): StageModel {
  const q = spec.sqsBuffer!;
  const windowMs = sqsWindowMs(q.batchingWindowSeconds);
  let concurrencyLimit: number;
  let concurrencyBound: string;
  let bottleneck: Bottleneck = 'sqs concurrency';
  if (q.provisionedPollers) {
    concurrencyLimit = q.provisionedPollers.maximum * INVOCATIONS_PER_SQS_POLLER;
    concurrencyBound = `${q.provisionedPollers.maximum} SQS pollers × ${INVOCATIONS_PER_SQS_POLLER} invocations`;
    bottleneck = 'pollers';
  } else if (q.maximumConcurrency !== undefined) {
    concurrencyLimit = q.maximumConcurrency;
    concurrencyBound = `MaximumConcurrency ${q.maximumConcurrency}`;
  } else {
    concurrencyLimit = SQS_MAX_CONCURRENCY;
    concurrencyBound = `SQS standard scaling limit ${SQS_MAX_CONCURRENCY}`;
  }
  const reserved = spec.processor.reservedConcurrency;
  if (reserved !== undefined && reserved < concurrencyLimit) {
    concurrencyLimit = reserved;
    concurrencyBound = `reserved concurrency ${reserved}`;
    bottleneck = 'reserved concurrency';
  }
  const fullBatch = q.batchSize;
  const maxThroughputPerSec = (concurrencyLimit * fullBatch * 1000) / Math.max(batchDurationMs(fullBatch, spec.processor), 0.001);
  // A long poll returns what is queued, up to the batch size; under load the queue holds
  // enough to fill batches, at low rates batches are small unless a window collects them.
  const collected = windowMs > 0 ? rate * (windowMs / 1000) : (rate * batchDurationMs(fullBatch, spec.processor)) / 1000 / concurrencyLimit;
  const batch = Math.min(fullBatch, Math.max(1, collected));
  return {
    source: 'sqs',
    batchingWindowMs: windowMs,
    concurrencyLimit,
    concurrencyBound,
    bottleneck,
    ceilingBound: concurrencyBound,
    expectedBatchSize: round(batch),
    batchDurationMs: round(batchDurationMs(batch, spec.processor)),
    maxThroughputPerSec: round(maxThroughputPerSec),
    invokedRatePerSec: round(rate),
    latencyMs: medianLatency(windowMs, batch, spec.processor),
  };
}

/** Half the window, then half the batch's work (records in turn) or one record's (records overlap). */
function medianLatency(windowMs: number, batch: number, processor: ProcessorSpec): StageModel['latencyMs'] {
  const work = overlapsByKey(processor) ? batchDurationMs(batch, processor) : (batchDurationMs(batch, processor) + processor.processingMsPerRecord) / 2;
  return { window: round(windowMs / 2), work: round(work) };
}

/** The forwarder only copies records to SQS; its own work is negligible next to the processor. */
const FORWARDER: ProcessorSpec = { processingMsPerRecord: 0.05, workKind: 'io', mode: 'sequential', memoryMb: 256, timeoutSeconds: 60 };

export function capacityModel(spec: LabSpec): CapacityModel {
  const offered = spec.traffic.ratePerSec;
  const peak = peakRatePerSec(spec);
  const stages = spec.sqsBuffer ? [kafkaStage(spec, offered, FORWARDER), sqsStage(spec, offered)] : [kafkaStage(spec, offered, spec.processor)];
  const last = stages[stages.length - 1];
  const slowest = stages.reduce((a, b) => (b.maxThroughputPerSec < a.maxThroughputPerSec ? b : a));
  // The median record passes every stage: its window and its work in each.
  const latencyFloorMs = stages.reduce((sum, s) => sum + s.latencyMs.window + s.latencyMs.work, 0);
  return {
    labId: spec.id,
    offeredRatePerSec: offered,
    peakRatePerSec: peak,
    stages,
    expectedBatchSize: last.expectedBatchSize,
    latencyFloorMs: round(latencyFloorMs),
    maxThroughputPerSec: slowest.maxThroughputPerSec,
    headroom: round(slowest.maxThroughputPerSec / (peak * kafkaPassShare(spec))),
    ...(stages[0].startingCeilingPerSec === undefined
      ? {}
      : { startingHeadroom: round(Math.min(stages[0].startingCeilingPerSec, slowest.maxThroughputPerSec) / (peak * kafkaPassShare(spec))) }),
    bottleneck: `${slowest.source === 'kafka' ? 'Kafka ESM' : 'SQS ESM'}: ${slowest.ceilingBound}`,
    bottleneckKind: slowest.bottleneck,
  };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
