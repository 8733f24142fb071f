// Properties of the booking parser (handlers/shared/booking.ts): parseBooking never throws,
// whatever the bytes; what it accepts is a booking by an independent reading of the schema (and
// what that reading calls a booking is accepted); makeBooking -> parseBooking is the identity
// and hits the requested size exactly.
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type Booking, type BookingFields, makeBooking, type ParsedBooking, parseBooking } from '../../handlers/shared/booking.ts';
import { anyString, errorKind, REPLAY } from './support.ts';

// --- an independent oracle of the schema (Booking in booking.ts, written out again by hand) ---

const STATUSES = ['CONFIRMED', 'PENDING', 'CANCELLED'];
const isDigit = (ch: string) => ch >= '0' && ch <= '9';
const isUpperOrDigit = (ch: string) => (ch >= 'A' && ch <= 'Z') || isDigit(ch);

/** "LH1234": two characters A-Z/0-9, then one to four digits 0-9 (ASCII only). */
function isFlight(value: unknown): boolean {
  if (typeof value !== 'string' || value.length < 3 || value.length > 6) return false;
  return isUpperOrDigit(value[0]) && isUpperOrDigit(value[1]) && [...value.slice(2)].every(isDigit);
}

const isSeq = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= Number.MAX_SAFE_INTEGER;

/** The booking a decoded JSON value stands for, or undefined when it is not one. */
function oracleBooking(json: unknown): Booking | undefined {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  const c = json as Record<string, unknown>;
  const valid =
    typeof c.runId === 'string' &&
    c.runId !== '' &&
    isSeq(c.seq) &&
    typeof c.intendedAt === 'number' &&
    Number.isFinite(c.intendedAt) &&
    c.intendedAt >= 0 &&
    typeof c.bookingId === 'string' &&
    c.bookingId !== '' &&
    isFlight(c.flight) &&
    typeof c.status === 'string' &&
    STATUSES.includes(c.status) &&
    typeof c.padding === 'string';
  if (!valid) return undefined;
  return { runId: c.runId, seq: c.seq, intendedAt: c.intendedAt, bookingId: c.bookingId, flight: c.flight, status: c.status, padding: c.padding } as Booking;
}

/** What the oracle expects from parseBooking for a raw value. */
function oracle(value: string | Uint8Array | null): Booking | undefined {
  if (value === null) return undefined;
  let text: string;
  if (typeof value === 'string') text = value;
  else {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(value);
    } catch {
      return undefined;
    }
  }
  try {
    return oracleBooking(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/** Calls parseBooking and checks the shape of its answer; fails the property if it throws. */
function parse(value: string | Uint8Array | null): ParsedBooking {
  let result: ParsedBooking;
  try {
    result = parseBooking(value);
  } catch (error) {
    throw new Error(`parseBooking threw ${errorKind(error)}`);
  }
  if (result.ok) {
    assert.type(result.booking, 'object');
  } else {
    assert.type(result.reason, 'string');
    assert.ok(result.reason.length > 0, 'a refusal gives a reason');
    // The catch-all in parseBooking is a safety net: reaching it means parsing threw.
    assert.not.ok(result.reason.startsWith('unexpected parse error'), `parsing threw internally: ${result.reason}`);
  }
  return result;
}

/** parseBooking agrees with the oracle, both ways, and keeps runId/seq of refused objects. */
function agreesWithOracle(value: string | Uint8Array | null): void {
  const result = parse(value);
  const expected = oracle(value);
  if (expected === undefined) {
    assert.not.ok(result.ok, `accepted a value the schema refuses: ${preview(value)}`);
  } else {
    assert.ok(result.ok, `refused a valid booking (${result.ok ? '' : result.reason}): ${preview(value)}`);
    assert.equal(result.booking, expected);
  }
}

function preview(value: string | Uint8Array | null): string {
  const text = value === null ? 'null' : typeof value === 'string' ? JSON.stringify(value) : `bytes ${Buffer.from(value).toString('hex')}`;
  return text.length > 300 ? `${text.slice(0, 300)}...` : text;
}

// --- generators ---

const validFlight = fc
  .tuple(
    fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'),
    fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'),
    fc.integer({ min: 1, max: 4 }),
    fc.nat(9999),
  )
  .map(([a, b, digits, n]) => `${a}${b}${String(n % 10 ** digits).padStart(digits, '0')}`);

const nonEmptyString = anyString(30).filter((s) => s.length > 0);

/** Values for a field: mostly valid ones, plus every kind of wrong one. */
function field<T>(valid: fc.Arbitrary<T>, invalid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 8, arbitrary: valid }, { weight: 2, arbitrary: invalid });
}

const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.boolean(),
  fc.double(),
  fc.integer(),
  anyString(10),
  fc.constant([]),
  fc.constant({}),
  fc.jsonValue({ maxDepth: 2 }),
);

/** An object shaped like a booking, each field valid or not, sometimes with extra keys. */
const bookingLike: fc.Arbitrary<Record<string, unknown>> = fc
  .record(
    {
      runId: field(nonEmptyString, fc.oneof(fc.constant(''), junk)),
      seq: field(fc.oneof(fc.nat(), fc.maxSafeNat()), fc.oneof(fc.constantFrom(-1, 1.5, 2 ** 53, '1', '0', NaN, Infinity), junk)),
      intendedAt: field(
        fc.oneof(fc.nat(), fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }), fc.constant(1_700_000_000_000)),
        fc.oneof(fc.constantFrom(-1, -0.001, '1700000000000', NaN, Infinity), junk),
      ),
      bookingId: field(nonEmptyString, fc.oneof(fc.constant(''), junk)),
      flight: field(
        validFlight,
        fc.oneof(fc.constantFrom('lh1234', 'LH12345', 'LH', 'L1', 'LHX234', 'LH١٢٣', 'ＬＨ1234', 'LH12🛫', ' LH1234', 'LH1234\n'), anyString(8), junk),
      ),
      status: field(fc.constantFrom(...STATUSES), fc.oneof(fc.constantFrom('confirmed', 'Confirmed', 'CONFIRMED ', 'UNKNOWN', ''), junk)),
      padding: field(fc.string({ maxLength: 20 }), junk),
    },
    // Every key is generated; `junk` includes undefined, which JSON.stringify drops (a missing field).
  )
  .chain((booking) => fc.dictionary(anyString(8), junk, { maxKeys: 2 }).map((extra) => ({ ...extra, ...booking })));

/** How the value travels: JSON text, UTF-8 bytes, or JSON text with whitespace around it. */
const encodings = fc.constantFrom('string', 'bytes', 'padded');
function encode(json: string, how: string): string | Uint8Array {
  if (how === 'bytes') return new Uint8Array(Buffer.from(json, 'utf8'));
  if (how === 'padded') return ` \n\t${json}\r\n `;
  return json;
}

// --- properties ---

test('arbitrary bytes never throw; the answer matches the schema oracle', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => agreesWithOracle(bytes)),
    { ...REPLAY, numRuns: 1000 },
  );
});

test('arbitrary strings (lone surrogates, controls, any Unicode) never throw; the answer matches the oracle', () => {
  fc.assert(
    fc.property(fc.oneof(anyString(200), fc.string({ unit: 'binary', maxLength: 200 })), (text) => agreesWithOracle(text)),
    { ...REPLAY, numRuns: 1000 },
  );
});

test('arbitrary JSON values never throw; only objects shaped like a booking are accepted', () => {
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 4, stringUnit: 'binary' }), encodings, (json, how) => agreesWithOracle(encode(JSON.stringify(json), how))),
    { ...REPLAY, numRuns: 1000 },
  );
});

test('booking-shaped objects with wrong, missing or extra fields: accepted exactly when the oracle says valid', () => {
  let accepted = 0;
  fc.assert(
    fc.property(bookingLike, encodings, (candidate, how) => {
      const value = encode(JSON.stringify(candidate), how);
      agreesWithOracle(value);
      const result = parseBooking(value);
      if (result.ok) accepted++;
      else {
        // A refused object still names its runId and seq (when they are valid) for accounting.
        const parsed = JSON.parse(JSON.stringify(candidate)) as Record<string, unknown>;
        if (typeof parsed.runId === 'string') assert.is(result.runId, parsed.runId);
        else assert.is(result.runId, undefined);
        if (isSeq(parsed.seq)) assert.is(result.seq, parsed.seq);
        else assert.is(result.seq, undefined);
      }
    }),
    { ...REPLAY, numRuns: 1000 },
  );
  // The generator must exercise acceptance too, or the property says nothing about it.
  assert.ok(accepted >= 100, `only ${accepted} of 1000 candidates were valid bookings`);
});

const validFields: fc.Arbitrary<Omit<BookingFields, 'eventBytes'>> = fc.record({
  runId: nonEmptyString,
  seq: fc.oneof(fc.nat(), fc.maxSafeNat()),
  intendedAt: fc.oneof(fc.nat(), fc.constant(Date.now()), fc.double({ min: 0, noNaN: true, noDefaultInfinity: true })),
  bookingId: nonEmptyString,
  flight: validFlight,
  status: fc.constantFrom('CONFIRMED', 'PENDING', 'CANCELLED'),
});

function minimalBytes(fields: Omit<BookingFields, 'eventBytes'>): number {
  const { runId, seq, intendedAt, bookingId, flight, status } = fields;
  return Buffer.byteLength(JSON.stringify({ runId, seq, intendedAt, bookingId, flight, status, padding: '' }), 'utf8');
}

test('round trip: makeBooking -> parseBooking gives the fields back, at exactly eventBytes bytes', () => {
  fc.assert(
    fc.property(validFields, fc.nat(2000), encodings, (fields, extra, how) => {
      const eventBytes = minimalBytes(fields) + extra;
      const text = makeBooking({ ...fields, eventBytes });
      assert.is(Buffer.byteLength(text, 'utf8'), eventBytes);
      const result = parse(encode(text, how));
      assert.ok(result.ok, `refused its own booking: ${result.ok ? '' : result.reason}`);
      const { padding, ...rest } = result.booking;
      assert.equal(rest, { ...fields });
      assert.is(padding, 'x'.repeat(extra));
    }),
    { ...REPLAY, numRuns: 1000 },
  );
});

test('makeBooking refuses exactly the fields parseBooking would refuse, and too small a size', () => {
  fc.assert(
    fc.property(bookingLike, fc.integer({ min: -5, max: 50 }), (candidate, slack) => {
      const { padding: _padding, ...fields } = candidate;
      const expected = oracleBooking({ ...fields, padding: '' });
      // eventBytes relative to the minimal JSON; when the fields are invalid any size will do.
      const { runId, seq, intendedAt, bookingId, flight, status } = fields;
      const base = Buffer.byteLength(JSON.stringify({ runId, seq, intendedAt, bookingId, flight, status, padding: '' }), 'utf8');
      const eventBytes = base + slack;
      let text: string | undefined;
      let error: unknown;
      try {
        text = makeBooking({ ...(fields as unknown as BookingFields), eventBytes });
      } catch (e) {
        error = e;
      }
      if (expected === undefined) {
        assert.instance(error, Error, 'makeBooking accepted fields the schema refuses');
        assert.match((error as Error).message, /^Cannot make booking seq .*: /s);
        return;
      }
      if (slack < 0) {
        assert.instance(error, Error, 'makeBooking accepted an eventBytes below the minimal size');
        assert.match((error as Error).message, `is too small for this booking: it needs at least ${base} bytes`);
        return;
      }
      assert.is(error, undefined, `makeBooking refused valid fields: ${errorKind(error)}`);
      assert.is(Buffer.byteLength(text!, 'utf8'), eventBytes);
      agreesWithOracle(text!);
    }),
    { ...REPLAY, numRuns: 1000 },
  );
});

test.run();
