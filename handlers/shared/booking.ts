// The booking event: what the producer publishes and both processors validate.
// runId + seq identify an event across the whole pipeline, so the harness can account for every
// event (processed, filtered or dead-lettered) and count losses and duplicates exactly.
// intendedAt is the open-loop intended send time: end-to-end latency is measured from it, so a
// producer that falls behind cannot hide latency (coordinated omission).

import { BOOKING_STATUSES, type BookingStatus } from './traffic.ts';

export interface Booking {
  runId: string;
  /** Position in the run's schedule, 0-based. */
  seq: number;
  /** Epoch milliseconds at which the schedule intended this event to be sent. */
  intendedAt: number;
  bookingId: string;
  /** Airline code and flight number, e.g. "LH1234". */
  flight: string;
  status: BookingStatus;
  /** Filler so every event has the profile's exact size. */
  padding: string;
}

export interface BookingFields extends Omit<Booking, 'padding'> {
  /** Exact UTF-8 size of the serialized event. */
  eventBytes: number;
}

export interface PoisonFields {
  runId: string;
  seq: number;
  intendedAt: number;
  flight: string;
  eventBytes: number;
}

export type ParsedBooking = { ok: true; booking: Booking } | { ok: false; reason: string; runId?: string; seq?: number };

const FLIGHT_PATTERN = /^[A-Z0-9]{2}[0-9]{1,4}$/;

/** A valid booking serialized to exactly `eventBytes` UTF-8 bytes. */
/** A value as a refusal shows it: any value at all, even one that cannot become a string. */
function shown(value: unknown): string {
  try {
    return typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    return Object.prototype.toString.call(value);
  }
}

export function makeBooking(fields: BookingFields): string {
  const { eventBytes, ...rest } = fields;
  const problems = bookingProblems({ ...rest, padding: '' });
  if (problems.length > 0) throw new Error(`Cannot make booking seq ${shown(fields.seq)}: ${problems.join('; ')}.`);
  // Field order is fixed so the size of the unpadded event is predictable.
  const build = (padding: string) =>
    JSON.stringify({
      runId: rest.runId,
      seq: rest.seq,
      intendedAt: rest.intendedAt,
      bookingId: rest.bookingId,
      flight: rest.flight,
      status: rest.status,
      padding,
    });
  return padToSize(build, eventBytes, 'booking');
}

/**
 * An event that must end in the failure path: it carries runId and seq (so it can be accounted
 * for) but is not a booking: it has no bookingId. Its status is CONFIRMED so that a filter on
 * confirmed bookings lets it through to the function, where it fails, as a malformed confirmed
 * booking would in production.
 */
export function makePoisonEvent(fields: PoisonFields): string {
  const build = (padding: string) =>
    JSON.stringify({
      runId: fields.runId,
      seq: fields.seq,
      intendedAt: fields.intendedAt,
      flight: fields.flight,
      status: 'CONFIRMED',
      padding,
    });
  return padToSize(build, fields.eventBytes, 'poison event');
}

function padToSize(build: (padding: string) => string, eventBytes: number, what: string): string {
  const minimal = Buffer.byteLength(build(''), 'utf8');
  if (!Number.isInteger(eventBytes) || eventBytes < minimal) {
    throw new Error(
      `eventBytes ${eventBytes} is too small for this ${what}: it needs at least ${minimal} bytes ` +
        `(the JSON without padding). Set the traffic profile's eventBytes to ${minimal} or more.`,
    );
  }
  // Padding is ASCII, one byte per character, so the size comes out exact.
  return build('x'.repeat(eventBytes - minimal));
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Validates a Kafka/SQS value as a booking. Never throws: garbage gives ok:false and a reason. */
export function parseBooking(value: string | Uint8Array | null | undefined): ParsedBooking {
  try {
    return parse(value);
  } catch (error) {
    // Defensive: parsing is written not to throw, but a bad record must never crash a batch.
    return { ok: false, reason: `unexpected parse error: ${describe(error)}` };
  }
}

function parse(value: string | Uint8Array | null | undefined): ParsedBooking {
  if (value === null || value === undefined) return { ok: false, reason: 'value is missing (null record value)' };
  let text: string;
  if (typeof value === 'string') {
    text = value;
  } else {
    try {
      text = utf8.decode(value);
    } catch {
      return { ok: false, reason: `value is not valid UTF-8 (${value.byteLength} bytes)` };
    }
  }
  if (text.trim().length === 0) return { ok: false, reason: 'value is empty' };

  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `value is not JSON (${describe(error)}): ${preview(text)}` };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ok: false, reason: `value is JSON but not an object: ${preview(text)}` };
  }

  const candidate = json as Record<string, unknown>;
  const accounting = {
    ...(typeof candidate.runId === 'string' ? { runId: candidate.runId } : {}),
    ...(isSeq(candidate.seq) ? { seq: candidate.seq } : {}),
  };
  const problems = bookingProblems(candidate);
  if (problems.length > 0) return { ok: false, reason: `not a booking: ${problems.join('; ')}`, ...accounting };

  return {
    ok: true,
    booking: {
      runId: candidate.runId as string,
      seq: candidate.seq as number,
      intendedAt: candidate.intendedAt as number,
      bookingId: candidate.bookingId as string,
      flight: candidate.flight as string,
      status: candidate.status as BookingStatus,
      padding: candidate.padding as string,
    },
  };
}

function bookingProblems(c: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (typeof c.runId !== 'string' || c.runId.length === 0) problems.push('runId must be a non-empty string');
  if (!isSeq(c.seq)) problems.push('seq must be a non-negative integer');
  if (typeof c.intendedAt !== 'number' || !Number.isFinite(c.intendedAt) || c.intendedAt < 0) {
    problems.push('intendedAt must be epoch milliseconds (a non-negative number)');
  }
  if (typeof c.bookingId !== 'string' || c.bookingId.length === 0) problems.push('bookingId must be a non-empty string');
  if (typeof c.flight !== 'string' || !FLIGHT_PATTERN.test(c.flight)) {
    problems.push('flight must look like "LH1234" (2-character airline code, 1-4 digits)');
  }
  if (c.status === null) problems.push('status is null');
  else if (!BOOKING_STATUSES.includes(c.status as BookingStatus)) {
    problems.push(`status must be one of ${BOOKING_STATUSES.join(', ')}`);
  }
  if (typeof c.padding !== 'string') problems.push('padding must be a string');
  return problems;
}

function isSeq(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function preview(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}...` : text);
}
