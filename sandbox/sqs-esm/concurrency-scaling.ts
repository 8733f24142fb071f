// How many batches an SQS ESM processes at once (services-sqs-scaling.html; sandbox/MODEL.md):
// - standard: 5 concurrent batches at start, up to 300 more per minute while messages wait,
//   up to 1,250, or MaximumConcurrency when set; back down while the queue is empty, to 2 when
//   MaximumConcurrency is unset and to 5 when it is set ("does not scale down to 2");
// - provisioned: MinimumPollers..MaximumPollers, each poller up to 10 concurrent invokes,
//   scaling by up to 1,000 concurrency per minute.
// Pure: the poller loops report what the queue looked like, and ask for the allowed count:
// 'backlog' (messages wait), 'idle' (a long poll came back empty) or 'steady' (neither: the
// pollers keep up, so nothing changes).
import {
  INVOCATIONS_PER_SQS_POLLER,
  SQS_CONCURRENCY_STEP_PER_MINUTE,
  SQS_IDLE_CONCURRENCY,
  SQS_INITIAL_CONCURRENCY,
  SQS_MAX_CONCURRENCY,
} from '../../labs/aws-limits.ts';

export const SQS_PROVISIONED_STEP_PER_MINUTE = 1000;
const MINUTE_MS = 60_000;

export type QueueSignal = 'backlog' | 'idle' | 'steady';

export interface SqsConcurrencyScaling {
  readonly mode: 'standard' | 'provisioned';
  /** Concurrent batches allowed at `now`, given what the pollers saw since the last call. */
  allowed(now: number, signal: QueueSignal): number;
  /** Pollers, for the report: standard mode counts one per allowed concurrent batch. */
  pollers(): number;
}

/**
 * Grows by `stepPerMinute` only while messages wait, never above `ceiling`; shrinks back toward
 * `floor` at the same pace only while long polls come back empty; otherwise holds.
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
    start = floor,
  ) {
    this.current = Math.min(start, ceiling);
  }

  allowed(now: number, signal: QueueSignal): number {
    const elapsed = this.lastAt === undefined ? 0 : now - this.lastAt;
    this.lastAt = now;
    if (signal === 'steady') return this.current;
    this.credit += (elapsed * this.timeScale * this.stepPerMinute) / MINUTE_MS;
    const whole = Math.floor(this.credit);
    this.credit -= whole;
    this.current = signal === 'backlog' ? Math.min(this.ceiling, this.current + whole) : Math.max(Math.min(this.floor, this.ceiling), this.current - whole);
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
    const floor = maximumConcurrency === undefined ? SQS_IDLE_CONCURRENCY : SQS_INITIAL_CONCURRENCY;
    this.ramp = new RampedConcurrency(floor, ceiling, SQS_CONCURRENCY_STEP_PER_MINUTE, timeScale, SQS_INITIAL_CONCURRENCY);
  }

  allowed(now: number, signal: QueueSignal): number {
    return this.ramp.allowed(now, signal);
  }

  pollers(): number {
    return this.ramp.value();
  }
}

export class ProvisionedSqsScaling implements SqsConcurrencyScaling {
  readonly mode = 'provisioned';
  private readonly ramp: RampedConcurrency;

  constructor(minimumPollers: number, maximumPollers: number, timeScale = 1) {
    this.ramp = new RampedConcurrency(
      minimumPollers * INVOCATIONS_PER_SQS_POLLER,
      maximumPollers * INVOCATIONS_PER_SQS_POLLER,
      SQS_PROVISIONED_STEP_PER_MINUTE,
      timeScale,
    );
  }

  allowed(now: number, signal: QueueSignal): number {
    return this.ramp.allowed(now, signal);
  }

  pollers(): number {
    return Math.ceil(this.ramp.value() / INVOCATIONS_PER_SQS_POLLER);
  }
}
