// The open-loop schedule: when each event is intended to be sent and what it contains.
// Event i is intended at the moment the cumulative offered count N(t) reaches i, so the offered
// rate follows the profile exactly (steady: i/rate; ramp: the integral of a linear rate; spike:
// piecewise). The sender never moves these times: if it falls behind it sends late, and the
// lateness shows up as send delay and end-to-end latency instead of disappearing.

import { mulberry32, pickWeighted, rngForEvent } from './random.ts';
import { BOOKING_STATUSES, type BookingStatus, TRAFFIC_SHAPES, type TrafficProfile, VALUE_FORMATS } from './traffic.ts';

export interface ScheduledEvent {
  seq: number;
  /** Epoch milliseconds, whole. */
  intendedAt: number;
  status: BookingStatus;
  /** A poison event is not a valid booking and must end in the failure path. */
  poison: boolean;
  bookingId: string;
  flight: string;
}

/** Several producers split one schedule: shard `index` of `count` sends the events with seq % count == index. */
export interface Shard {
  index: number;
  count: number;
}

/** Bookings get several events on average, so per-key ordering has something to keep in order. */
const EVENTS_PER_BOOKING = 3;
const AIRLINES = ['LH', 'BA', 'AF', 'KL', 'UA', 'DL', 'EK', 'SQ', 'QF', 'AA'] as const;

/** Throws one error listing every problem with the profile, each with its allowed range. */
export function validateTrafficProfile(profile: TrafficProfile): void {
  const problems: string[] = [];
  const nonNegative = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
  if (!TRAFFIC_SHAPES.includes(profile.shape)) problems.push(`shape must be one of ${TRAFFIC_SHAPES.join(', ')}`);
  if (!nonNegative(profile.ratePerSec)) problems.push('ratePerSec must be a number >= 0 (events per second)');
  if (!(nonNegative(profile.durationSec) && profile.durationSec > 0)) problems.push('durationSec must be > 0');
  if (profile.shape === 'steady' && !(profile.ratePerSec > 0)) problems.push('a steady profile needs ratePerSec > 0');
  if (profile.shape === 'ramp' || profile.shape === 'spike') {
    if (!nonNegative(profile.peakRatePerSec)) problems.push(`a ${profile.shape} profile needs peakRatePerSec >= 0`);
  }
  if (profile.shape === 'ramp' && !(profile.ratePerSec + (profile.peakRatePerSec ?? 0) > 0)) {
    problems.push('a ramp needs ratePerSec or peakRatePerSec > 0');
  }
  if (profile.shape === 'spike') {
    const start = profile.spikeStartSec;
    const length = profile.spikeDurationSec;
    if (!nonNegative(start)) problems.push('a spike needs spikeStartSec >= 0');
    if (!(nonNegative(length) && (length as number) > 0)) problems.push('a spike needs spikeDurationSec > 0');
    if (nonNegative(start) && nonNegative(length) && (start as number) + (length as number) > profile.durationSec) {
      problems.push(`the spike (${start}s + ${length}s) must end within durationSec (${profile.durationSec}s)`);
    }
  }
  if (!(Number.isInteger(profile.eventBytes) && profile.eventBytes > 0)) problems.push('eventBytes must be a positive integer');
  const weights = BOOKING_STATUSES.map((s) => profile.statusMix?.[s]);
  if (!weights.every(nonNegative) || weights.reduce((a: number, w) => a + (w as number), 0) <= 0) {
    problems.push(`statusMix needs a weight >= 0 for each of ${BOOKING_STATUSES.join(', ')}, at least one > 0`);
  }
  if (!(nonNegative(profile.poisonShare) && profile.poisonShare <= 1)) problems.push('poisonShare must be between 0 and 1');
  if (!Number.isSafeInteger(profile.seed)) problems.push('seed must be an integer');
  if (profile.valueFormat !== undefined && !VALUE_FORMATS.includes(profile.valueFormat)) problems.push(`valueFormat must be ${VALUE_FORMATS.join(' or ')}`);
  if (profile.evolveSchemaAt !== undefined) {
    if (!(profile.evolveSchemaAt > 0 && profile.evolveSchemaAt < 1)) problems.push('evolveSchemaAt must be a share of the run between 0 and 1 (exclusive)');
    if (profile.valueFormat !== 'avro') problems.push('evolveSchemaAt needs valueFormat avro: only an Avro booking has a schema to evolve');
  }
  if (problems.length > 0) throw new Error(`Invalid traffic profile: ${problems.join('; ')}.`);
}

/** N(t): events offered by `tSec` seconds after the start (fractional). */
export function offeredCount(profile: TrafficProfile, tSec: number): number {
  const t = Math.min(Math.max(tSec, 0), profile.durationSec);
  const base = profile.ratePerSec;
  switch (profile.shape) {
    case 'steady':
      return base * t;
    case 'ramp': {
      const slope = ((profile.peakRatePerSec ?? base) - base) / profile.durationSec;
      return base * t + (slope * t * t) / 2;
    }
    case 'spike': {
      const extra = (profile.peakRatePerSec ?? base) - base;
      const inSpike = Math.min(Math.max(t - (profile.spikeStartSec ?? 0), 0), profile.spikeDurationSec ?? 0);
      return base * t + extra * inSpike;
    }
  }
}

/** Events in the whole schedule: every i >= 0 with i < N(duration). */
export function expectedEventCount(profile: TrafficProfile): number {
  validateTrafficProfile(profile);
  // The epsilon keeps an exact integer total (1000.0000000001 from float error) from adding an event.
  return Math.max(0, Math.ceil(offeredCount(profile, profile.durationSec) - 1e-9));
}

/** Seconds after the start at which N(t) reaches `seq`: the inverse of offeredCount. */
export function intendedOffsetSec(profile: TrafficProfile, seq: number): number {
  if (seq <= 0) return 0;
  const base = profile.ratePerSec;
  switch (profile.shape) {
    case 'steady':
      return seq / base;
    case 'ramp': {
      const slope = ((profile.peakRatePerSec ?? base) - base) / profile.durationSec;
      if (Math.abs(slope) < 1e-12) return seq / base;
      // Root of slope/2 t^2 + base t - seq = 0, in the form that stays accurate when slope is small.
      return (2 * seq) / (base + Math.sqrt(base * base + 2 * slope * seq));
    }
    case 'spike': {
      const peak = profile.peakRatePerSec ?? base;
      const start = profile.spikeStartSec ?? 0;
      const length = profile.spikeDurationSec ?? 0;
      const beforeSpike = base * start;
      if (seq <= beforeSpike) return seq / base;
      const throughSpike = beforeSpike + peak * length;
      if (seq <= throughSpike) return start + (seq - beforeSpike) / peak;
      return start + length + (seq - throughSpike) / base;
    }
  }
}

/** One event of the schedule; the same for a given (profile, startAtMs, seq) however it is sharded. */
export function scheduledEvent(profile: TrafficProfile, startAtMs: number, seq: number): ScheduledEvent {
  return makeEvent(profile, startAtMs, seq, bookingCount(profile));
}

function bookingCount(profile: TrafficProfile): number {
  return Math.max(1, Math.ceil(expectedEventCount(profile) / EVENTS_PER_BOOKING));
}

function makeEvent(profile: TrafficProfile, startAtMs: number, seq: number, bookings: number): ScheduledEvent {
  const draw = rngForEvent(profile.seed, seq);
  const poison = draw() < profile.poisonShare;
  const status = pickWeighted(profile.statusMix, draw());
  const bookingNumber = Math.floor(draw() * bookings);
  const airline = AIRLINES[Math.floor(draw() * AIRLINES.length)];
  const flightNumber = 1 + Math.floor(draw() * 9999);
  return {
    seq,
    intendedAt: startAtMs + Math.round(intendedOffsetSec(profile, seq) * 1000),
    status,
    poison,
    bookingId: `BK-${seedTag(profile.seed)}-${bookingNumber}`,
    flight: `${airline}${flightNumber}`,
  };
}

/** The schedule in intended-time order, optionally only one shard of it. */
export function* bookingSchedule(profile: TrafficProfile, startAtMs: number, shard: Shard = { index: 0, count: 1 }): Generator<ScheduledEvent> {
  validateTrafficProfile(profile);
  validateShard(shard);
  const total = expectedEventCount(profile);
  const bookings = bookingCount(profile);
  for (let seq = shard.index; seq < total; seq += shard.count) yield makeEvent(profile, startAtMs, seq, bookings);
}

export function validateShard(shard: Shard): void {
  if (!Number.isInteger(shard.count) || shard.count < 1) {
    throw new Error(`shard.count must be an integer >= 1, got ${shard.count}.`);
  }
  if (!Number.isInteger(shard.index) || shard.index < 0 || shard.index >= shard.count) {
    throw new Error(`shard.index must be an integer from 0 to ${shard.count - 1} (shard.count - 1), got ${shard.index}.`);
  }
}

function seedTag(seed: number): string {
  // A short stable tag so bookings of differently seeded runs do not share keys.
  return Math.floor(mulberry32(seed)() * 36 ** 4)
    .toString(36)
    .padStart(4, '0');
}
