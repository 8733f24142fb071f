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
//
// With CHAOS_SEED the draws come from seeded generators that live as long as the execution
// environment (one per knob, so they do not shift each other's draws). Every environment replays
// the same sequence, so a fault test is repeatable; a replacement environment starts it again.
import { setTimeout as sleep } from 'node:timers/promises';
import { mixSeed, mulberry32 } from './random.ts';
import type { ChaosSettings } from './settings.ts';

export const INJECTED_FAILURE = 'injected failure';
export const INJECTED_HANG = 'chaos: hanging past the function timeout';
/** Lambda's longest timeout: without a context, a hang outlasts any function. */
const MAX_FUNCTION_TIMEOUT_MS = 900_000;
/** How far past the remaining time a hang lasts, so the timeout fires first even on a busy machine. */
const HANG_MARGIN_MS = 1_000;

export type Random = () => number;

export type ChaosDraw = 'failure' | 'timeout';
const DRAW_STREAM: Record<ChaosDraw, number> = { failure: 1, timeout: 2 };
const seededDraws = new Map<string, Random>();

/** The draws for one knob: Math.random, or this environment's seeded sequence for CHAOS_SEED. */
export function chaosRandom(chaos: Pick<ChaosSettings, 'seed'>, draw: ChaosDraw): Random {
  if (chaos.seed === undefined) return Math.random;
  const key = `${chaos.seed}/${draw}`;
  let random = seededDraws.get(key);
  if (!random) seededDraws.set(key, (random = mulberry32(mixSeed(chaos.seed, DRAW_STREAM[draw]))));
  return random;
}

/** Extra work for one record now: latencyMs while the clock is before latencyUntil, else 0. */
export function extraLatencyMs(chaos: ChaosSettings, now: number = Date.now()): number {
  return chaos.latencyMs > 0 && now < chaos.latencyUntil ? chaos.latencyMs : 0;
}

/** One record attempt: throws Error("injected failure") with probability failureRate. */
export function maybeFailRecord(chaos: ChaosSettings, random: Random = chaosRandom(chaos, 'failure')): void {
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
  const random = options.random ?? chaosRandom(chaos, 'timeout');
  if (!(chaos.timeoutRate > 0 && random() < chaos.timeoutRate)) return 0;
  const ms = Math.max(0, context?.getRemainingTimeInMillis() ?? MAX_FUNCTION_TIMEOUT_MS) + HANG_MARGIN_MS;
  options.onHang?.(ms);
  await (options.wait ?? sleep)(ms);
  return ms;
}
