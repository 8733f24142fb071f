// How many pollers a Kafka ESM runs (DESIGN §3, kafka-scaling-modes.html):
// - on-demand starts with one poller; every minute Lambda evaluates the offset lag and adds or
//   removes pollers, reaching what the lag needs within three minutes; never more pollers than
//   partitions; throttling of the function reduces pollers;
// - provisioned keeps between MinimumPollers and MaximumPollers and scales within seconds;
// - in both modes a poller drives at most 5 concurrent invocations.
// Both are pure: the engine feeds them observations and asks for a count at each evaluation.
import { INVOCATIONS_PER_KAFKA_POLLER } from '../../labs/capacity-model.ts';

export const ON_DEMAND_EVALUATION_MS = 60_000;
/** Provisioned mode reacts "within seconds"; AWS does not document the interval. */
export const PROVISIONED_EVALUATION_MS = 2_000;
/** Lag at or below this counts as caught up. */
const CAUGHT_UP_LAG = 0;
/** Evaluations in a row with no need before a poller is removed, so a short lull keeps pollers. */
const CALM_EVALUATIONS_BEFORE_SCALE_IN = 3;

export interface ScalingObservation {
  /** Total offset lag (high watermark minus committed) at this evaluation. */
  offsetLag: number;
  /** Invocations in flight plus batches ready but waiting for a free invocation slot. */
  invocationDemand: number;
  /** Whether the function throttled since the last evaluation. */
  throttled: boolean;
}

export interface PollerScaling {
  readonly mode: 'on-demand' | 'provisioned';
  readonly evaluationIntervalMs: number;
  /** Concurrent invocations one poller may drive. */
  readonly invocationsPerPoller: number;
  pollers(): number;
  /** Returns the poller count after this evaluation. */
  evaluate(observation: ScalingObservation): number;
}

export class OnDemandScaling implements PollerScaling {
  readonly mode = 'on-demand';
  readonly evaluationIntervalMs: number;
  // "An event poller is a compute unit": AWS documents 5 concurrent invocations per poller, and
  // an on-demand poller is the same unit, so a single starting poller cannot absorb a spike.
  readonly invocationsPerPoller = INVOCATIONS_PER_KAFKA_POLLER;
  private current = 1;
  private lastLag = 0;
  private calm = 0;

  constructor(
    private readonly partitions: number,
    timeScale = 1,
    /** Lag a poller is expected to hold anyway (a batch waiting for its window). */
    private readonly batchSize = 1,
  ) {
    this.evaluationIntervalMs = ON_DEMAND_EVALUATION_MS / timeScale;
  }

  pollers(): number {
    return this.current;
  }

  evaluate({ offsetLag, throttled }: ScalingObservation): number {
    // Falling behind: more than a full batch per poller waiting, and more than last time.
    const growing = offsetLag > this.current * this.batchSize && offsetLag > this.lastLag;
    this.lastLag = offsetLag;
    if (throttled) {
      this.calm = 0;
      this.current = Math.max(1, this.current - 1);
    } else if (growing) {
      this.calm = 0;
      // Tripling reaches one poller per partition of a 12-partition topic in three evaluations.
      this.current = Math.min(this.partitions, this.current * 3);
    } else if (offsetLag <= CAUGHT_UP_LAG && ++this.calm >= CALM_EVALUATIONS_BEFORE_SCALE_IN) {
      this.calm = 0;
      this.current = Math.max(1, this.current - 1);
    }
    return this.current;
  }
}

export class ProvisionedScaling implements PollerScaling {
  readonly mode = 'provisioned';
  readonly evaluationIntervalMs = PROVISIONED_EVALUATION_MS;
  readonly invocationsPerPoller = INVOCATIONS_PER_KAFKA_POLLER;
  private current: number;
  private calm = 0;
  private readonly ceiling: number;
  private readonly floor: number;

  constructor(minimum: number, maximum: number, partitions: number) {
    this.ceiling = Math.min(maximum, partitions);
    this.floor = Math.min(minimum, this.ceiling);
    this.current = this.floor;
  }

  pollers(): number {
    return this.current;
  }

  evaluate({ invocationDemand, throttled }: ScalingObservation): number {
    const needed = Math.ceil(invocationDemand / this.invocationsPerPoller);
    if (throttled) {
      this.calm = 0;
      this.current = Math.max(this.floor, this.current - 1);
    } else if (needed > this.current) {
      this.calm = 0;
      this.current = Math.min(this.ceiling, needed);
    } else if (needed < this.current && ++this.calm >= CALM_EVALUATIONS_BEFORE_SCALE_IN) {
      this.calm = 0;
      this.current = Math.max(this.floor, this.current - 1);
    }
    return this.current;
  }
}

/** Partition i goes to poller i mod n: an even spread, like a round-robin assignor. */
export function assignPartitions(partitionKeys: string[], pollers: number): string[][] {
  const sorted = [...partitionKeys].sort((a, b) => partitionNumber(a) - partitionNumber(b) || a.localeCompare(b));
  const assignment: string[][] = Array.from({ length: pollers }, () => []);
  sorted.forEach((key, i) => assignment[i % pollers].push(key));
  return assignment;
}

function partitionNumber(key: string): number {
  return Number(key.slice(key.lastIndexOf('-') + 1));
}
