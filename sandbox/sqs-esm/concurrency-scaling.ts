// How many batches an SQS ESM processes at once (DESIGN §3, services-sqs-scaling.html):
// - standard: 5 concurrent batches at start, up to 300 more per minute while messages wait,
//   up to 1,250, or MaximumConcurrency when set;
// - provisioned: MinimumPollers..MaximumPollers, each poller up to 10 concurrent invokes,
//   scaling by up to 1,000 concurrency per minute.
// Pure: the poller loop reports whether messages were waiting, and asks for the allowed count.
import { INVOCATIONS_PER_SQS_POLLER, SQS_CONCURRENCY_STEP_PER_MINUTE, SQS_INITIAL_CONCURRENCY, SQS_MAX_CONCURRENCY } from '../../labs/capacity-model.ts';

export const SQS_PROVISIONED_STEP_PER_MINUTE = 1000;
const MINUTE_MS = 60_000;

export interface SqsConcurrencyScaling {
  readonly mode: 'standard' | 'provisioned';
  /** Concurrent batches allowed at `now`, given whether messages have been waiting. */
  allowed(now: number, backlog: boolean): number;
  /** Pollers, for the report: standard mode counts one per allowed concurrent batch. */
  pollers(): number;
}

/**
 * Grows by `stepPerMinute` only while messages wait, never above `ceiling`, and shrinks back
 * toward `floor` one step at a time when the queue is empty.
 */
class RampedConcurrency {
  private current: number;
  private lastAt: number | undefined;
  private credit = 0;

  constructor(
    private readonly floor: number,
    private readonly ceiling: number,
    private readonly stepPerMinute: number,
    private readonly timeScale: number,
  ) {
    this.current = Math.min(floor, ceiling);
  }

  allowed(now: number, backlog: boolean): number {
    const elapsed = this.lastAt === undefined ? 0 : now - this.lastAt;
    this.lastAt = now;
    const steps = (elapsed * this.timeScale * this.stepPerMinute) / MINUTE_MS;
    if (backlog) {
      this.credit += steps;
      const whole = Math.floor(this.credit);
      this.credit -= whole;
      this.current = Math.min(this.ceiling, this.current + whole);
    } else {
      this.credit = 0;
      this.current = Math.max(Math.min(this.floor, this.ceiling), this.current - Math.floor(steps));
    }
    return this.current;
  }

  value(): number {
    return this.current;
  }
}

export class StandardSqsScaling implements SqsConcurrencyScaling {
  readonly mode = 'standard';
  private readonly ramp: RampedConcurrency;

  constructor(maximumConcurrency: number | undefined, timeScale = 1) {
    const ceiling = Math.min(SQS_MAX_CONCURRENCY, maximumConcurrency ?? SQS_MAX_CONCURRENCY);
    this.ramp = new RampedConcurrency(SQS_INITIAL_CONCURRENCY, ceiling, SQS_CONCURRENCY_STEP_PER_MINUTE, timeScale);
  }

  allowed(now: number, backlog: boolean): number {
    return this.ramp.allowed(now, backlog);
  }

  pollers(): number {
    return this.ramp.value();
  }
}

export class ProvisionedSqsScaling implements SqsConcurrencyScaling {
  readonly mode = 'provisioned';
  private readonly ramp: RampedConcurrency;

  constructor(minimumPollers: number, maximumPollers: number, timeScale = 1) {
    this.ramp = new RampedConcurrency(minimumPollers * INVOCATIONS_PER_SQS_POLLER, maximumPollers * INVOCATIONS_PER_SQS_POLLER, SQS_PROVISIONED_STEP_PER_MINUTE, timeScale);
  }

  allowed(now: number, backlog: boolean): number {
    return this.ramp.allowed(now, backlog);
  }

  pollers(): number {
    return Math.ceil(this.ramp.value() / INVOCATIONS_PER_SQS_POLLER);
  }
}
