// How many pollers a Kafka ESM runs (kafka-scaling-modes.html, with-kafka-low-latency.html):
// - on-demand: "In one-minute intervals, Lambda evaluates the offset lag of all the partitions
//   in the topic. If the offset lag is too high [...] Lambda adds or removes event pollers [...]
//   within three minutes of evaluation"; never more pollers than partitions; "If your target
//   Lambda function is throttled, Lambda reduces the number of event pollers";
// - provisioned keeps between MinimumPollers and MaximumPollers and scales within seconds;
// - in both modes a poller drives at most 5 concurrent invocations.
// Both are pure: the engine feeds them observations and asks for a count at each evaluation.
import { INVOCATIONS_PER_KAFKA_POLLER } from '../../labs/aws-limits.ts';
import { lagLow, lagTooHigh, pollersForLag } from '../../labs/on-demand-lag.ts';

export const ON_DEMAND_EVALUATION_MS = 60_000;
/**
 * AWS bounds the delay ("within three minutes of evaluation") without giving it: here a change
 * takes effect one evaluation (one AWS minute) after the evaluation that decided it.
 */
export const ON_DEMAND_APPLY_DELAY_EVALUATIONS = 1;
/** Provisioned mode reacts "within seconds"; AWS does not document the interval. */
export const PROVISIONED_EVALUATION_MS = 2_000;
/** Evaluations in a row with low lag before a poller is removed, so a short lull keeps pollers. */
export const CALM_EVALUATIONS_BEFORE_SCALE_IN = 3;

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
  /** Returns the poller count in effect after this evaluation. */
  evaluate(observation: ScalingObservation): number;
}

export class OnDemandScaling implements PollerScaling {
  readonly mode = 'on-demand';
  readonly evaluationIntervalMs: number;
  // AWS documents 5 concurrent invocations for "an event poller" (with-kafka-low-latency.html)
  // and nothing else for on-demand pollers: the sandbox treats them as the same unit, so one
  // starting poller cannot absorb a spike.
  readonly invocationsPerPoller = INVOCATIONS_PER_KAFKA_POLLER;
  private current = 1;
  private calm = 0;
  private pending?: { pollers: number; inEvaluations: number };

  constructor(
    private readonly partitions: number,
    timeScale = 1,
    /** The mapping's batch size: the lag a poller holds anyway is up to a batch. */
    private readonly batchSize = 1,
  ) {
    this.evaluationIntervalMs = ON_DEMAND_EVALUATION_MS / timeScale;
  }

  pollers(): number {
    return this.current;
  }

  /** The change decided but not yet in effect, if any. */
  pendingPollers(): number | undefined {
    return this.pending?.pollers;
  }

  evaluate({ offsetLag, throttled }: ScalingObservation): number {
    if (this.pending && --this.pending.inEvaluations <= 0) {
      this.current = this.pending.pollers;
      this.pending = undefined;
    }
    if (this.pending) return this.current;
    const next = this.decide(offsetLag, throttled);
    if (next !== this.current) this.pending = { pollers: next, inEvaluations: ON_DEMAND_APPLY_DELAY_EVALUATIONS };
    return this.current;
  }

  private decide(offsetLag: number, throttled: boolean): number {
    if (throttled) {
      this.calm = 0;
      return Math.max(1, this.current - 1);
    }
    if (lagTooHigh(offsetLag, this.current, this.batchSize)) {
      this.calm = 0;
      return Math.max(this.current, pollersForLag(offsetLag, this.batchSize, this.partitions));
    }
    if (!lagLow(offsetLag, this.current, this.batchSize)) {
      this.calm = 0;
      return this.current;
    }
    if (++this.calm < CALM_EVALUATIONS_BEFORE_SCALE_IN) return this.current;
    this.calm = 0;
    return this.current - 1;
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
