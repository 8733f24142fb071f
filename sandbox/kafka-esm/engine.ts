// The Kafka event source mapping: the rules in this folder wired together around three
// effects the caller provides (invoke the function, commit offsets, deliver to the on-failure
// destination) and a clock. It holds no Kafka client, so tests drive it with a fake clock and
// sandbox/kafka-esm/kafka-fetcher.ts feeds it from a real broker.
import { INVOKE_PAYLOAD_LIMIT_BYTES } from '../../labs/aws-limits.ts';
import type { Clock, Timer } from '../clock.ts';
import { type Batch, BatchAccumulator } from './batch-accumulator.ts';
import {
  type Attempt,
  decide,
  type FailureCondition,
  type FailureRules,
  type InvokeResult,
  KAFKA_ITEM_IDENTIFIER_SHAPE,
  splitByAge,
} from './failure-policy.ts';
import { OffsetTracker } from './offset-tracker.ts';
import { groupByPartition, type PolledRecord, partitionKey } from './polled-record.ts';
import { assignPartitions, type PollerScaling } from './poller-scaling.ts';
import { PollerThroughput, recordBytes } from './poller-throughput.ts';

export interface DestinationDelivery {
  records: PolledRecord[];
  condition: FailureCondition;
  /** Invocations the records took part in (approximateInvokeCount): 0 for a record never invoked. */
  invokeCount: number;
  /** The last invocation's result; none when the records were never invoked (responseContext null). */
  lastResult?: InvokeResult;
}

/** Why the mapping dropped records (DroppedEventCount): they reach no destination and are committed. */
export type DropReason = 'no-destination' | 'destination-delivery-failed';

export interface KafkaEsmEffects {
  invoke(records: PolledRecord[]): Promise<InvokeResult>;
  commit(offsets: Map<string, number>): Promise<void>;
  /** Undefined when the mapping has no on-failure destination: exhausted records are skipped. */
  deliverToDestination?: (delivery: DestinationDelivery) => Promise<void>;
  /** Told of every record the filter criteria dropped (for exact accounting). */
  onFiltered?: (record: PolledRecord) => void;
  /** Told of records the mapping dropped (DroppedEventCount), for exact accounting. */
  onDropped?: (records: PolledRecord[], reason: DropReason) => void;
  /** The pollers' partitions changed (a rebalance): the system log's POLLER_STATUS_EVENT. */
  onRebalanced?: () => void;
  /** A poller met an error it retries (commit, destination) or a response AWS ignores: the system log's WARN line. */
  onWarning?: (message: string, code: string, poller: number) => void;
}

export interface KafkaEsmRules {
  batchSize: number;
  windowMs: number;
  failure: FailureRules;
  /** The mapping's filter criteria; a record that matches none is dropped and committed. */
  matches(record: PolledRecord): boolean;
  maxPayloadBytes?: number;
  /** A poller's read rate (AWS: 5 MB/s); tests lower it. */
  pollerBytesPerSec?: number;
}

/**
 * Running totals behind the ESM's CloudWatch metrics (the EventCount and ErrorCount groups of
 * labs/esm-metrics.ts, under the same names), plus what reports chart.
 */
export interface KafkaEsmCounters {
  PolledEventCount: number;
  FilteredOutEventCount: number;
  InvokedEventCount: number;
  FailedInvokeEventCount: number;
  DroppedEventCount: number;
  OnFailureDestinationDeliveredEventCount: number;
  CommittedEventCount: number;
  PollingErrorCount: number;
  /** Batches whose invocation failed (function error, timeout or throttle): AWS counts batches here. */
  InvokeErrorCount: number;
  OnFailureDestinationDeliveryErrorCount: number;
  /** Records whose schema could not be fetched or that did not deserialize with it. */
  SchemaRegistryErrorCount: number;
  CommitErrorCount: number;
  /** Bytes of the records the pollers read (EventPollerThroughputInBytes). */
  PolledBytes: number;
  Invocations: number;
  Throttles: number;
}

/** Every counter at 0: a new mapping's. */
export function zeroCounters(): KafkaEsmCounters {
  return {
    PolledEventCount: 0,
    FilteredOutEventCount: 0,
    InvokedEventCount: 0,
    FailedInvokeEventCount: 0,
    DroppedEventCount: 0,
    OnFailureDestinationDeliveredEventCount: 0,
    CommittedEventCount: 0,
    PollingErrorCount: 0,
    InvokeErrorCount: 0,
    OnFailureDestinationDeliveryErrorCount: 0,
    SchemaRegistryErrorCount: 0,
    CommitErrorCount: 0,
    PolledBytes: 0,
    Invocations: 0,
    Throttles: 0,
  };
}

export interface KafkaEsmSnapshot {
  at: number;
  pollers: number;
  concurrency: number;
  offsetLag: number;
  waiting: number;
  counters: KafkaEsmCounters;
  warnings: string[];
}

interface Poller {
  accumulator: BatchAccumulator;
  throughput: PollerThroughput;
  partitions: Set<string>;
  inFlight: number;
  windowTimer?: Timer;
}

/**
 * AWS documents what happens when delivery to the on-failure destination fails, not how often it
 * tries: the records are dropped (monitoring-metrics-types.html, OnFailureDestinationDeliveredEventCount:
 * "For the DroppedEventCount metric, Lambda emits a number equal to the number of events that
 * failed delivery"). The sandbox tries three times, half a second apart, then drops them.
 */
export const DESTINATION_DELIVERY_ATTEMPTS = 3;
const DESTINATION_RETRY_MS = 500;
const FINAL_COMMIT_WAIT_MS = 5_000;

function recordId(record: PolledRecord): string {
  return `${partitionKey(record)}@${record.offset}`;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function errorCode(error: unknown, fallback: string): string {
  return error instanceof Error && error.name !== 'Error' ? error.name : fallback;
}

/** Backoff before retrying a failed batch: short, growing, capped at a second. */
export function retryBackoffMs(retries: number): number {
  return Math.min(1000, 50 * 2 ** Math.max(0, retries - 1));
}

export class KafkaEsmEngine {
  readonly counters: KafkaEsmCounters = zeroCounters();

  private pollers: Poller[] = [];
  private readonly offsets = new OffsetTracker();
  private readonly highWatermarks = new Map<string, number>();
  private readonly partitionOwner = new Map<string, Poller>();
  /** Each record's invocations and retries so far, kept across rebalances until it is done. */
  private readonly history = new Map<string, { invocations: number; retries: number }>();
  private rebalanceTo: number | undefined;
  /** Partial batch responses AWS would not accept: how many, and the first one's problem. */
  private ignoredResponses = { count: 0, first: '' };
  private throttledSinceEvaluation = false;
  private scalingTimer?: Timer;
  private committing: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly running = new Set<Promise<void>>();
  private readonly idleWaiters: Array<() => void> = [];

  constructor(
    private readonly rules: KafkaEsmRules,
    private readonly scaling: PollerScaling,
    private readonly effects: KafkaEsmEffects,
    private readonly clock: Clock,
  ) {
    this.pollers = Array.from({ length: scaling.pollers() }, () => this.newPoller());
    this.scheduleScaling();
  }

  private get maxPayloadBytes(): number {
    return this.rules.maxPayloadBytes ?? INVOKE_PAYLOAD_LIMIT_BYTES;
  }

  private newPoller(): Poller {
    return {
      accumulator: new BatchAccumulator({ batchSize: this.rules.batchSize, windowMs: this.rules.windowMs, maxPayloadBytes: this.rules.maxPayloadBytes }),
      partitions: new Set(),
      inFlight: 0,
      throughput: new PollerThroughput(this.rules.pollerBytesPerSec),
    };
  }

  /** Records from the fetcher, in offset order per partition. */
  push(records: PolledRecord[]): void {
    const touched = new Set<Poller>();
    for (const record of records) {
      const key = partitionKey(record);
      this.counters.PolledEventCount++;
      this.counters.PolledBytes += recordBytes(record);
      this.offsets.track(key, record.offset);
      // Validation comes before filtering: a record that fails it is never invoked.
      if (record.schemaFailure) {
        this.counters.SchemaRegistryErrorCount++;
        this.effects.onWarning?.(`schema validation failed: ${record.schemaFailure.message}`, record.schemaFailure.condition, 0);
        this.track(this.discard({ records: [record], condition: record.schemaFailure.condition, invokeCount: 0 }).then(() => this.flushCommits()));
        continue;
      }
      if (!this.rules.matches(record)) {
        this.counters.FilteredOutEventCount++;
        this.effects.onFiltered?.(record);
        this.offsets.done(key, record.offset);
        continue;
      }
      const poller = this.ownerOf(key);
      poller.accumulator.push([record]);
      touched.add(poller);
    }
    for (const poller of touched) this.pump(poller);
    this.flushCommits();
  }

  /**
   * The broker's high watermark for a partition, for OffsetLag. Fetch responses and the periodic
   * admin refresh report it out of order; a high watermark only grows, so the largest is current.
   */
  setHighWatermark(key: string, nextOffset: number): void {
    this.highWatermarks.set(key, Math.max(nextOffset, this.highWatermarks.get(key) ?? 0));
  }

  /** Records a partition holds in memory: the fetcher pauses a partition that holds too many. */
  waitingIn(key: string): number {
    return this.partitionOwner.get(key)?.accumulator.waitingIn(key) ?? 0;
  }

  offsetLag(): number {
    let lag = 0;
    for (const partitionLag of this.offsetLagByPartition().values()) lag += partitionLag;
    return lag;
  }

  /** Records behind per partition (MaxOffsetLag is the largest, SumOffsetLag the total). */
  offsetLagByPartition(): Map<string, number> {
    const lags = new Map<string, number>();
    for (const [key, high] of this.highWatermarks) {
      const base = this.offsets.lagBase(key);
      if (base !== undefined) lags.set(key, Math.max(0, high - base));
    }
    return lags;
  }

  /** The registry could not be asked for a schema (the mapping asks again): SchemaRegistryErrorCount. */
  schemaRegistryFailed(): void {
    this.counters.SchemaRegistryErrorCount++;
  }

  /** The fetcher could not poll (a broker error it will retry): PollingErrorCount. */
  pollingFailed(): void {
    this.counters.PollingErrorCount++;
  }

  /** What the run should warn about: behaviour a participant's function caused and may not expect. */
  warnings(): string[] {
    const { count, first } = this.ignoredResponses;
    if (count === 0) return [];
    return [
      `the function returned a partial batch response AWS does not accept for Kafka ${count} time${count === 1 ? '' : 's'} (first: ${first}); AWS then retries the whole batch, and so did the sandbox. The accepted shape is ${KAFKA_ITEM_IDENTIFIER_SHAPE} (kafka-retry-configurations.html).`,
    ];
  }

  /**
   * Assigns every partition of the topic to a poller now, as a consumer group's join does,
   * instead of when its first record arrives, so the pollers' assignment is known from the start.
   */
  knowPartitions(keys: string[]): void {
    for (const key of keys) this.ownerOf(key);
  }

  /** Each poller's partitions, in poller order. */
  assignments(): string[][] {
    return this.pollers.map((p) => [...p.partitions]);
  }

  /** Per partition: the broker's end, the last record read, the last one done, the committed offset. */
  partitionOffsets(): Array<{
    partition: string;
    poller: number;
    endOffset: number;
    consumedOffset: number;
    processedOffset: number;
    committedOffset: number;
  }> {
    return [...this.partitionOwner].map(([key, owner]) => {
      const offsets = this.offsets.positions(key);
      return { partition: key, poller: this.pollers.indexOf(owner), endOffset: this.highWatermarks.get(key) ?? 0, ...offsets };
    });
  }

  committedOffset(key: string): number | undefined {
    return this.offsets.committedOffset(key);
  }

  /** The pollers running now. */
  pollerCount(): number {
    return this.pollers.length;
  }

  snapshot(): KafkaEsmSnapshot {
    return {
      at: this.clock.now(),
      pollers: this.pollerCount(),
      concurrency: this.pollers.reduce((sum, p) => sum + p.inFlight, 0),
      offsetLag: this.offsetLag(),
      waiting: this.pollers.reduce((sum, p) => sum + p.accumulator.waiting(), 0),
      counters: { ...this.counters },
      warnings: this.warnings(),
    };
  }

  private ownerOf(key: string): Poller {
    let owner = this.partitionOwner.get(key);
    if (!owner) {
      owner = this.pollers.reduce((least, p) => (p.partitions.size < least.partitions.size ? p : least));
      owner.partitions.add(key);
      this.partitionOwner.set(key, owner);
    }
    return owner;
  }

  private pump(poller: Poller): void {
    if (this.stopped || this.rebalanceTo !== undefined || !this.pollers.includes(poller)) return;
    poller.windowTimer?.cancel();
    poller.windowTimer = undefined;
    let throttledByBytes = 0;
    while (poller.inFlight < this.scaling.invocationsPerPoller) {
      throttledByBytes = poller.throughput.waitMs(this.clock.now());
      if (throttledByBytes > 0) break;
      const batch = poller.accumulator.takeBatch(this.clock.now());
      if (!batch) break;
      poller.throughput.spend(
        batch.records.reduce((sum, r) => sum + recordBytes(r), 0),
        this.clock.now(),
      );
      poller.inFlight++;
      this.track(this.runBatch(poller, batch));
    }
    const closesAt = poller.accumulator.windowClosesAt();
    if (closesAt !== undefined && poller.inFlight < this.scaling.invocationsPerPoller) {
      const at = Math.max(closesAt, this.clock.now() + throttledByBytes);
      poller.windowTimer = this.clock.after(at - this.clock.now(), () => this.pump(poller));
    }
  }

  private track(work: Promise<void>): void {
    this.running.add(work);
    void work.finally(() => {
      this.running.delete(work);
      if (this.running.size === 0) this.idleWaiters.splice(0).forEach((wake) => wake());
    });
  }

  private async runBatch(poller: Poller, batch: Batch): Promise<void> {
    const queue = this.attemptsFor(batch.records);
    let invoked = false;
    while (queue.length > 0 && !this.stopped) {
      // A rebalance does not wait for a batch that keeps failing (with infinite retries it never
      // would, and every partition would stop): between attempts the records go back to their
      // partitions, uncommitted, and move with them. Their invocation counts stay with the
      // mapping, so the new owner goes on counting retries where the old one stopped.
      if (this.rebalanceTo !== undefined && invoked) {
        poller.accumulator.requeue(queue.flatMap((a) => a.records));
        break;
      }
      const attempt = queue.shift()!;
      const { fresh, expired } = splitByAge(attempt.records, this.clock.now(), this.rules.failure);
      if (expired.length > 0) await this.discardUninvoked(expired, 'RetryAttemptsExhausted');
      if (fresh.length === 0) continue;
      // The accumulator gives a record larger than the invoke payload limit a batch of its own: it cannot be invoked.
      if (fresh.length === 1 && batch.records.length === 1 && batch.payloadBytes > this.maxPayloadBytes) {
        await this.discardUninvoked(fresh, 'MaximumPayloadSizeExceeded');
        continue;
      }
      const result = await this.invoke(fresh);
      invoked = true;
      for (const r of fresh) this.historyOf(r).invocations++;
      const decision = decide({ records: fresh, retries: attempt.retries }, result, this.rules.failure);
      // AWS: with partial batch responses, FailedInvokeEventCount "includes any event with a non-empty BatchItemFailures".
      if (result.kind === 'success') this.counters.FailedInvokeEventCount += fresh.length - decision.done.length;
      if (decision.ignoredResponse) {
        if (this.ignoredResponses.count++ === 0) this.ignoredResponses.first = decision.ignoredResponse.reason;
        this.effects.onWarning?.(
          `partial batch response ignored, the whole batch is retried: ${decision.ignoredResponse.reason}`,
          'InvalidBatchItemFailures',
          this.pollers.indexOf(poller),
        );
      }
      for (const record of decision.done) this.finish(record);
      if (decision.discard.length > 0) {
        const invokeCount = Math.max(...decision.discard.map((r) => this.historyOf(r).invocations));
        await this.discard({ records: decision.discard, condition: decision.condition!, invokeCount, lastResult: result });
      }
      if (decision.throttled) this.throttledSinceEvaluation = true;
      for (const retry of decision.retry) for (const r of retry.records) this.historyOf(r).retries = retry.retries;
      if (decision.retry.length > 0) {
        queue.unshift(...decision.retry);
        await this.sleep(decision.throttled ? retryBackoffMs(1) : retryBackoffMs(decision.retry[0].retries));
      }
    }
    poller.inFlight--;
    poller.accumulator.release(batch.partitions);
    this.flushCommits();
    if (this.rebalanceTo !== undefined) this.maybeRebalance();
    else this.pump(poller);
  }

  /**
   * A batch re-formed after a rebalance can hold records already retried (at the front of their
   * partitions) and new ones: each group keeps its own retry count, most retried first, so order
   * holds and no record is invoked more than MaximumRetryAttempts + 1 times (bisects aside).
   */
  private attemptsFor(records: PolledRecord[]): Attempt[] {
    const byRetries = new Map<number, PolledRecord[]>();
    for (const record of records) {
      const retries = this.history.get(recordId(record))?.retries ?? 0;
      byRetries.set(retries, [...(byRetries.get(retries) ?? []), record]);
    }
    return [...byRetries.entries()].sort(([a], [b]) => b - a).map(([retries, group]) => ({ records: group, retries }));
  }

  private historyOf(record: PolledRecord): { invocations: number; retries: number } {
    const id = recordId(record);
    let entry = this.history.get(id);
    if (!entry) this.history.set(id, (entry = { invocations: 0, retries: 0 }));
    return entry;
  }

  private finish(record: PolledRecord): void {
    this.history.delete(recordId(record));
    this.offsets.done(partitionKey(record), record.offset);
  }

  private async invoke(records: PolledRecord[]): Promise<InvokeResult> {
    this.counters.Invocations++;
    this.counters.InvokedEventCount += records.length;
    let result: InvokeResult;
    try {
      result = await this.effects.invoke(records);
    } catch (error) {
      result = { kind: 'function-error', message: error instanceof Error ? error.message : String(error) };
    }
    if (result.kind === 'throttled') this.counters.Throttles++;
    else if (result.kind !== 'success') this.counters.FailedInvokeEventCount += records.length;
    if (result.kind !== 'success') this.counters.InvokeErrorCount++;
    return result;
  }

  /**
   * Records the function never saw with their current retry count: their destination record
   * claims only the invocations they really took part in, and no response.
   */
  private async discardUninvoked(records: PolledRecord[], condition: FailureCondition): Promise<void> {
    const invokeCount = Math.max(...records.map((r) => this.history.get(recordId(r))?.invocations ?? 0));
    await this.discard({ records, condition, invokeCount });
  }

  /**
   * Exhausted, expired or oversized records: delivered to the destination, or dropped when there
   * is none or delivery keeps failing. Either way they are done and the partition moves on.
   */
  private async discard(delivery: DestinationDelivery): Promise<void> {
    const deliver = this.effects.deliverToDestination;
    let delivered = false;
    for (let attempt = 1; deliver && !delivered && attempt <= DESTINATION_DELIVERY_ATTEMPTS; attempt++) {
      try {
        await deliver(delivery);
        this.counters.OnFailureDestinationDeliveredEventCount += delivery.records.length;
        delivered = true;
      } catch (error) {
        this.counters.OnFailureDestinationDeliveryErrorCount++;
        const last = attempt === DESTINATION_DELIVERY_ATTEMPTS;
        this.effects.onWarning?.(
          `on-failure destination delivery failed (attempt ${attempt} of ${DESTINATION_DELIVERY_ATTEMPTS}${last ? `; ${delivery.records.length} record(s) dropped` : ''}): ${errorMessage(error)}`,
          errorCode(error, 'OnFailureDestinationDeliveryFailed'),
          0,
        );
        if (this.stopped) return;
        if (!last) await this.sleep(DESTINATION_RETRY_MS);
      }
    }
    if (!delivered) {
      this.counters.DroppedEventCount += delivery.records.length;
      this.effects.onDropped?.(delivery.records, deliver ? 'destination-delivery-failed' : 'no-destination');
    }
    for (const record of delivery.records) this.finish(record);
  }

  private flushCommits(): void {
    this.committing = this.committing.then(async () => {
      const offsets = this.offsets.toCommit();
      if (offsets.size === 0) return;
      try {
        await this.effects.commit(offsets);
        for (const [key, next] of offsets) this.counters.CommittedEventCount += Math.max(0, next - (this.offsets.lagBase(key) ?? next));
        this.offsets.markCommitted(offsets);
      } catch (error) {
        this.counters.CommitErrorCount++;
        this.effects.onWarning?.(`commit failed: ${errorMessage(error)}`, errorCode(error, 'CommitFailed'), 0);
        // The next flush retries: offsets only move forward, so a late commit is harmless.
      }
    });
  }

  private scheduleScaling(): void {
    this.scalingTimer = this.clock.after(this.scaling.evaluationIntervalMs, () => {
      if (this.stopped) return;
      const demand = this.pollers.reduce((sum, p) => sum + p.inFlight + this.readyPartitions(p), 0);
      const next = this.scaling.evaluate({ offsetLag: this.offsetLag(), invocationDemand: demand, throttled: this.throttledSinceEvaluation });
      this.throttledSinceEvaluation = false;
      if (next !== this.pollers.length) {
        this.rebalanceTo = next;
        this.maybeRebalance();
      }
      this.scheduleScaling();
    });
  }

  /** Partitions of a poller with records waiting and no batch in flight: each could be a batch now. */
  private readyPartitions(poller: Poller): number {
    const inFlight = new Set(poller.accumulator.inFlightPartitions());
    return [...poller.partitions].filter((key) => !inFlight.has(key) && poller.accumulator.waitingIn(key) > 0).length;
  }

  /**
   * A change in pollers is a consumer-group rebalance: batches in flight finish, nothing new
   * starts, then partitions (and the records waiting in them) move to their new pollers.
   */
  private maybeRebalance(): void {
    const target = this.rebalanceTo;
    if (target === undefined || this.pollers.some((p) => p.inFlight > 0)) return;
    const waiting = groupByPartition(
      this.pollers.flatMap((poller) => {
        poller.windowTimer?.cancel();
        return poller.accumulator.dropPartitions(() => false);
      }),
    );
    const keys = [...this.partitionOwner.keys()];
    this.pollers = Array.from({ length: target }, () => this.newPoller());
    this.partitionOwner.clear();
    assignPartitions(keys, target).forEach((owned, i) => {
      for (const key of owned) {
        this.pollers[i].partitions.add(key);
        this.partitionOwner.set(key, this.pollers[i]);
        this.pollers[i].accumulator.push(waiting.get(key) ?? []);
      }
    });
    this.rebalanceTo = undefined;
    this.effects.onRebalanced?.();
    for (const poller of this.pollers) this.pump(poller);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.clock.after(ms, resolve));
  }

  /** Resolves when no batch is in flight (records may still be waiting for a window). */
  whenIdle(): Promise<void> {
    if (this.running.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Stops starting batches and retries; waits for invocations in flight and the last commit.
   * Records not yet done stay uncommitted, so a restarted mapping polls them again.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.scalingTimer?.cancel();
    for (const poller of this.pollers) poller.windowTimer?.cancel();
    await Promise.allSettled([...this.running]);
    this.flushCommits();
    // A dead broker would keep the last commit retrying for a minute; what it could not commit
    // is polled again after a restart (at-least-once), so stopping does not wait for it.
    await Promise.race([this.committing, new Promise<void>((resolve) => setTimeout(resolve, FINAL_COMMIT_WAIT_MS).unref())]);
  }
}
