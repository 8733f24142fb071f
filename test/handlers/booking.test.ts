import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { makeBooking, makePoisonEvent, parseBooking } from '../../handlers/shared/booking.ts';
import { mulberry32 } from '../../handlers/shared/random.ts';

const fields = { runId: 'run-42', seq: 7, intendedAt: 1_767_000_000_123, bookingId: 'BK-ab12-9', flight: 'LH1234', status: 'PENDING' as const };

test('makeBooking produces exactly eventBytes UTF-8 bytes, for many sizes', () => {
  for (const eventBytes of [140, 141, 256, 1000, 1024, 10_000, 100_000]) {
    const json = makeBooking({ ...fields, eventBytes });
    assert.is(Buffer.byteLength(json, 'utf8'), eventBytes, `size ${eventBytes}`);
    const parsed = parseBooking(json);
    assert.ok(parsed.ok, `size ${eventBytes} parses`);
  }
});

test('makeBooking counts multi-byte characters as bytes, not characters', () => {
  const json = makeBooking({ ...fields, runId: 'läuf-✈-日本', eventBytes: 512 });
  assert.is(Buffer.byteLength(json, 'utf8'), 512);
  const parsed = parseBooking(new TextEncoder().encode(json));
  assert.ok(parsed.ok);
  if (parsed.ok) assert.is(parsed.booking.runId, 'läuf-✈-日本');
});

test('makeBooking round-trips every field through parseBooking', () => {
  const parsed = parseBooking(makeBooking({ ...fields, eventBytes: 300 }));
  assert.ok(parsed.ok);
  if (!parsed.ok) return;
  const { padding, ...rest } = parsed.booking;
  assert.equal(rest, fields);
  assert.ok(/^x*$/.test(padding));
});

test('makeBooking below the minimum size throws and says the minimum', () => {
  const minimal = Buffer.byteLength(makeBooking({ ...fields, eventBytes: 10_000 }).replace(/x+/, ''), 'utf8');
  assert.is(Buffer.byteLength(makeBooking({ ...fields, eventBytes: minimal }), 'utf8'), minimal);
  try {
    makeBooking({ ...fields, eventBytes: minimal - 1 });
    assert.unreachable('should throw');
  } catch (error) {
    assert.match((error as Error).message, `at least ${minimal} bytes`);
    assert.match((error as Error).message, 'eventBytes');
  }
});

test('makeBooking refuses to build an invalid booking', () => {
  assert.throws(() => makeBooking({ ...fields, flight: 'not a flight', eventBytes: 500 }), /flight/);
  assert.throws(() => makeBooking({ ...fields, seq: -1, eventBytes: 500 }), /seq/);
});

test('a poison event has the exact size, keeps runId and seq, and is not a booking', () => {
  const poison = makePoisonEvent({ runId: 'run-42', seq: 99, intendedAt: 1, flight: 'BA1', eventBytes: 400 });
  assert.is(Buffer.byteLength(poison), 400);
  const json = JSON.parse(poison);
  assert.is(json.status, 'CONFIRMED', 'a poison event passes a filter on confirmed bookings');
  assert.is(json.bookingId, undefined);
  const parsed = parseBooking(poison);
  assert.not.ok(parsed.ok);
  if (parsed.ok) return;
  assert.is(parsed.runId, 'run-42');
  assert.is(parsed.seq, 99);
  assert.match(parsed.reason, 'bookingId');
});

test('parseBooking explains each kind of bad value', () => {
  const cases: Array<[string | Uint8Array | null | undefined, string]> = [
    [null, 'missing'],
    [undefined, 'missing'],
    ['', 'empty'],
    ['   \n', 'empty'],
    [new Uint8Array(0), 'empty'],
    [new Uint8Array([0xff, 0xfe, 0x80]), 'not valid UTF-8'],
    ['Hello, this is a test.', 'not JSON'],
    ['{"runId":', 'not JSON'],
    ['null', 'not an object'],
    ['[1,2]', 'not an object'],
    ['42', 'not an object'],
    ['"text"', 'not an object'],
    ['{}', 'runId must be'],
    [JSON.stringify({ ...fields, padding: '', seq: 1.5 }), 'seq must be'],
    [JSON.stringify({ ...fields, padding: '', seq: '7' }), 'seq must be'],
    [JSON.stringify({ ...fields, padding: '', intendedAt: 'soon' }), 'intendedAt'],
    [JSON.stringify({ ...fields, padding: '', status: 'BOOKED' }), 'status must be one of'],
    [JSON.stringify({ ...fields, padding: '', status: null }), 'status is null'],
    [JSON.stringify({ ...fields, padding: 5 }), 'padding'],
    [JSON.stringify({ ...fields, padding: '', flight: 'LH12345' }), 'flight'],
  ];
  for (const [value, expected] of cases) {
    const parsed = parseBooking(value);
    assert.not.ok(parsed.ok, `${String(value)} should be rejected`);
    if (!parsed.ok) assert.match(parsed.reason, expected, `${String(value)}: ${parsed.reason}`);
  }
});

test('parseBooking keeps runId and seq of invalid JSON objects for accounting', () => {
  const parsed = parseBooking(JSON.stringify({ runId: 'r', seq: 3, status: 'CONFIRMED' }));
  assert.not.ok(parsed.ok);
  if (!parsed.ok) {
    assert.is(parsed.runId, 'r');
    assert.is(parsed.seq, 3);
  }
});

test('parseBooking never throws on garbage bytes or mangled bookings', () => {
  const random = mulberry32(2024);
  const valid = makeBooking({ ...fields, eventBytes: 200 });
  for (let i = 0; i < 3000; i++) {
    let input: string | Uint8Array;
    if (i % 3 === 0) {
      input = Uint8Array.from({ length: Math.floor(random() * 64) }, () => Math.floor(random() * 256));
    } else if (i % 3 === 1) {
      // Cut or corrupt a valid booking at a random place.
      const chars = valid.split('');
      chars[Math.floor(random() * chars.length)] = String.fromCharCode(Math.floor(random() * 0xffff));
      input = chars.join('').slice(0, Math.floor(random() * chars.length) + 1);
    } else {
      input = JSON.stringify({ ...fields, [Object.keys(fields)[i % 6]]: [null, {}, [], true, -1, 'x', 1e400][i % 7] });
    }
    const parsed = parseBooking(input);
    assert.type(parsed.ok, 'boolean');
    if (!parsed.ok) assert.type(parsed.reason, 'string');
  }
});

test.run();
