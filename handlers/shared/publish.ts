// The open-loop publishing loop, free of Kafka so it can be tested with a fake clock.
// Each event is sent at its intended time, without waiting for earlier sends to be acknowledged
// (up to maxInFlight): a slow broker must not slow the offered load, or the load test measures
// the producer instead of the pipeline. When the loop is late it sends at once and keeps the
// event's intendedAt; the lateness is the send delay, reported separately.

import type { ScheduledEvent } from './schedule.ts';

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves at (or just after) the given epoch milliseconds. */
  sleepUntil(epochMs: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleepUntil: (epochMs) => {
    const ms = epochMs - Date.now();
    return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
  },
};

export interface SendReceipt {
  partition: number;
  offset: string;
}

export type SendFn = (event: ScheduledEvent) => Promise<SendReceipt>;

export interface PublishedRecord extends SendReceipt {
  seq: number;
}

export interface PublishOptions {
  /** Sends awaiting acknowledgement at once; when reached the loop waits (and falls behind). */
  maxInFlight?: number;
  /** Called when a send is acknowledged (for metrics). */
  onPublished?: (event: ScheduledEvent, sendDelayMs: number) => void;
}

export interface PublishOutcome {
  published: number;
  /** Poison events among the published ones. */
  poison: number;
  failed: Array<{ seq: number; error: string }>;
  firstSeq?: number;
  lastSeq?: number;
  /** Actual send start minus intendedAt, one per attempted event, in send order. */
  sendDelaysMs: number[];
  /** Where each published event landed, ordered by seq. */
  results: PublishedRecord[];
}

export async function publishSchedule(
  send: SendFn,
  schedule: Iterable<ScheduledEvent>,
  clock: Clock = systemClock,
  options: PublishOptions = {},
): Promise<PublishOutcome> {
  const maxInFlight = Math.max(1, options.maxInFlight ?? 1000);
  const outcome: PublishOutcome = { published: 0, poison: 0, failed: [], sendDelaysMs: [], results: [] };
  const inFlight = new Set<Promise<void>>();

  for (const event of schedule) {
    outcome.firstSeq ??= event.seq;
    outcome.lastSeq = event.seq;
    while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
    // A loop, not an if: timers may wake a hair early by the wall clock.
    while (clock.now() < event.intendedAt) await clock.sleepUntil(event.intendedAt);

    const sendDelayMs = clock.now() - event.intendedAt;
    outcome.sendDelaysMs.push(sendDelayMs);
    const pending: Promise<void> = send(event).then(
      (receipt) => {
        outcome.published++;
        if (event.poison) outcome.poison++;
        outcome.results.push({ seq: event.seq, ...receipt });
        options.onPublished?.(event, sendDelayMs);
      },
      (error: unknown) => {
        outcome.failed.push({ seq: event.seq, error: error instanceof Error ? error.message : String(error) });
      },
    );
    const tracked = pending.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  }
  await Promise.all(inFlight);
  outcome.results.sort((a, b) => a.seq - b.seq);
  return outcome;
}

export interface DelaySummary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles; exact, the producer keeps every delay anyway. */
export function summarizeDelays(delays: readonly number[]): DelaySummary {
  if (delays.length === 0) return { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, max: 0 };
  const sorted = [...delays].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
  return {
    count: sorted.length,
    min: sorted[0],
    mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
    p50: rank(0.5),
    p90: rank(0.9),
    p99: rank(0.99),
    max: sorted[sorted.length - 1],
  };
}
