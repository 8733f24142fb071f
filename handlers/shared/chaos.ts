// Fault injection for the processors: the CHAOS_* knobs of shared/settings.ts, in the style of
// the "failure-lambda" pattern (the function itself decides, per attempt and at a configured
// rate, to fail). Off unless a rate is set; the fault suite (test/faults/) sets them.
//
// - A failed record attempt throws Error("injected failure") inside the record's work, so it is
//   reported like any other failed record ("processing failed: injected failure"): in the
//   partial batch response, or by failing the whole batch when partial responses are off.
// - A hang waits past the invocation's remaining time (Lambda's context), after the batch's
//   work and its "batch processed" line: the runtime times the invocation out and discards the
//   execution environment; the event source mapping retries a batch whose work was done.
// - Latency adds to each record's work until a set time: a downstream that is slow for a while.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChaosSettings } from './settings.ts';

export const INJECTED_FAILURE = 'injected failure';
export const INJECTED_HANG = 'chaos: hanging past the function timeout';
/** Lambda's longest timeout: without a context, a hang outlasts any function. */
const MAX_FUNCTION_TIMEOUT_MS = 900_000;
/** How far past the remaining time a hang lasts, so the timeout fires first even on a busy machine. */
const HANG_MARGIN_MS = 1_000;

export type Random = () => number;

/** Extra work for one record now: latencyMs while the clock is before latencyUntil, else 0. */
export function extraLatencyMs(chaos: ChaosSettings, now: number = Date.now()): number {
  return chaos.latencyMs > 0 && now < chaos.latencyUntil ? chaos.latencyMs : 0;
}

/** One record attempt: throws Error("injected failure") with probability failureRate. */
export function maybeFailRecord(chaos: ChaosSettings, random: Random = Math.random): void {
  if (chaos.failureRate > 0 && random() < chaos.failureRate) throw new Error(INJECTED_FAILURE);
}

export interface HangOptions {
  random?: Random;
  /** Told just before the hang starts (the handler logs it). */
  onHang?: (ms: number) => void;
  wait?: (ms: number) => Promise<unknown>;
}

/**
 * One invocation: with probability timeoutRate, waits until past the function's timeout.
 * Returns the milliseconds it waited (0 when it did not hang).
 */
export async function maybeHangPastTimeout(
  chaos: ChaosSettings,
  context: { getRemainingTimeInMillis(): number } | undefined,
  options: HangOptions = {},
): Promise<number> {
  const random = options.random ?? Math.random;
  if (!(chaos.timeoutRate > 0 && random() < chaos.timeoutRate)) return 0;
  const ms = Math.max(0, context?.getRemainingTimeInMillis() ?? MAX_FUNCTION_TIMEOUT_MS) + HANG_MARGIN_MS;
  options.onHang?.(ms);
  await (options.wait ?? sleep)(ms);
  return ms;
}
