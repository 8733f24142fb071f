// What a soak runs (bench/soak.ts): its arguments, the producer runs of its schedule, the warm-up
// excluded from the slopes and the store retention the sandbox gets. Pure, so it is unit-tested.

import type { TrafficProfile } from '../handlers/shared/traffic.ts';
import { LABS } from '../labs/index.ts';

/**
 * Long enough to tell 1 MB/min from noise. The sandbox's RSS swings by about 10 MB from sample to
 * sample as V8 resizes its isolates' heaps; after the 4-minute warm-up, a 10-minute run leaves a
 * slope with a standard error of about 1.6 MB/min, a 20-minute run about 0.4
 * (bench/results/soak-2026-11-26_21-40-56Z-25min.json, slopeStandardError).
 */
export const DEFAULT_MINUTES = 20;
/**
 * Events/s. On the 2-core machine the results come from, lab 1's pipeline at 1,000/s takes about
 * 0.7 cores in the sandbox process and 0.45 in the broker, so it keeps up while another process
 * uses most of the remaining core; at 2,000/s the two take 1.85 of the 2 cores, no margin left.
 */
export const DEFAULT_RATE = 1000;
/** The store retention the soak runs with: at most this, and no longer than the warm-up. */
export const MAX_AUTO_RETENTION_SECONDS = 60;
export const SAMPLE_EVERY_SEC = 10;
export const SLOPE_LIMIT_MB_PER_MIN = 1;
/** One producer invocation (one runId) per this many seconds of the schedule. */
export const SEGMENT_SEC = 60;
/** One producer environment publishes a few thousand events/s (bench producer-ceiling): shard above this. */
export const RATE_PER_SHARD = 1500;

export interface SoakArgs {
  minutes: number;
  rate: number;
  /** undefined: min(60 s, the warm-up); null: the sandbox default. */
  retentionSeconds?: number | null;
}

export function parseSoakArgs(argv: readonly string[]): SoakArgs {
  const args: SoakArgs = { minutes: DEFAULT_MINUTES, rate: DEFAULT_RATE };
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i];
    const value = argv[i + 1];
    const number = Number(value);
    const need = (what: string, ok: boolean) => {
      if (value === undefined || !ok) throw new Error(`${flag} needs ${what}, got ${value ?? 'nothing'}.`);
    };
    if (flag === '--minutes') {
      need('a number of minutes from 0.5 to 600', Number.isFinite(number) && number >= 0.5 && number <= 600);
      args.minutes = number;
    } else if (flag === '--rate') {
      need('events per second from 1 to 20000', Number.isFinite(number) && number >= 1 && number <= 20_000);
      args.rate = number;
    } else if (flag === '--retention-seconds') {
      if (value === 'default') args.retentionSeconds = null;
      else {
        need('seconds (at least 5), or "default" for the sandbox\'s own', Number.isFinite(number) && number >= 5);
        args.retentionSeconds = number;
      }
    } else {
      throw new Error(`Unknown argument ${flag}; use --minutes N, --rate N (events/s), --retention-seconds N|default.`);
    }
  }
  return args;
}

/**
 * The slopes use the samples after the first 4 minutes, or after 40% of the run when that is
 * shorter. At 1,000 events/s the sandbox's RSS climbs for about 4 minutes while V8 sizes the heaps
 * of its isolates, then stays level (bench/results/soak-2026-11-26_21-40-56Z-25min.md: means of
 * 363 MB over minutes 2-4, 370-383 MB over every 2 minutes from 4 to 25); a warm-up that ends
 * inside that climb reports it as a leak.
 */
export function warmUpSeconds(loadSec: number): number {
  return Math.min(240, 0.4 * loadSec);
}

export interface SoakPlan {
  loadSec: number;
  warmUpSec: number;
  shards: number;
  /** For startSandbox; undefined = the sandbox default. */
  retentionMs: number | undefined;
}

export function planSoak(args: SoakArgs): SoakPlan {
  const loadSec = Math.round(args.minutes * 60);
  const warmUpSec = warmUpSeconds(loadSec);
  const retentionSeconds = args.retentionSeconds === null ? undefined : (args.retentionSeconds ?? Math.min(MAX_AUTO_RETENTION_SECONDS, Math.floor(warmUpSec)));
  return {
    loadSec,
    warmUpSec,
    shards: Math.max(1, Math.ceil(args.rate / RATE_PER_SHARD)),
    retentionMs: retentionSeconds === undefined ? undefined : retentionSeconds * 1000,
  };
}

export interface Segment {
  runId: string;
  startAtMs: number;
  profile: TrafficProfile;
}

/** The schedule as producer runs of SEGMENT_SEC each, back to back, each with its own runId. */
export function segments(prefix: string, loadStartMs: number, loadSec: number, ratePerSec: number): Segment[] {
  const t = LABS[0].traffic;
  const list: Segment[] = [];
  for (let k = 0; k * SEGMENT_SEC < loadSec; k++) {
    const durationSec = Math.min(SEGMENT_SEC, loadSec - k * SEGMENT_SEC);
    list.push({
      runId: `${prefix}-${String(k).padStart(3, '0')}`,
      startAtMs: loadStartMs + k * SEGMENT_SEC * 1000,
      profile: { shape: 'steady', ratePerSec, durationSec, eventBytes: t.eventBytes, statusMix: t.statusMix, poisonShare: 0, seed: t.seed },
    });
  }
  return list;
}
