// Lambda ESM filtering of Kafka records: only `value` can be filtered, JSON values are matched as
// JSON and other UTF-8 values as plain strings, filters are ORed. Examples from
// https://docs.aws.amazon.com/lambda/latest/dg/kafka-filtering.html and the aws-samples
// serverless-patterns "lambda-esm-msk-filters-sam" template.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { makeBooking, makePoisonEvent } from '../../../handlers/shared/booking.ts';
import {
  decodeBase64Value,
  decodeKafkaValue,
  EventPatternError,
  FilterCriteriaError,
  type KafkaFilterPattern,
  kafkaEventRecordMatches,
  kafkaRecordMatches,
  parseFilterCriteria,
  parseFilterPattern,
} from '../../../sandbox/filter/kafka-filter.ts';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const json = (value: unknown): Uint8Array => bytes(JSON.stringify(value));
const filters = (...patterns: Array<string | object>): KafkaFilterPattern[] => patterns.map((p) => parseFilterPattern(p));

function rejection(run: () => unknown): EventPatternError {
  try {
    run();
  } catch (error) {
    if (error instanceof EventPatternError) return error;
    throw error;
  }
  assert.unreachable('pattern was accepted');
  throw new Error('unreachable');
}

test('the workshop filter {"value": {"status": ["CONFIRMED"]}} keeps confirmed bookings only', () => {
  const confirmedOnly = filters({ value: { status: ['CONFIRMED'] } });
  assert.is(confirmedOnly[0].format, 'json');
  const booking = (seq: number, status: 'CONFIRMED' | 'PENDING' | 'CANCELLED') =>
    bytes(makeBooking({ runId: 'run-1', seq, intendedAt: 1_700_000_000_000, bookingId: `b-${seq}`, flight: 'LH1234', status, eventBytes: 512 }));
  assert.ok(kafkaRecordMatches(confirmedOnly, booking(0, 'CONFIRMED')));
  assert.not.ok(kafkaRecordMatches(confirmedOnly, booking(1, 'PENDING')));
  assert.not.ok(kafkaRecordMatches(confirmedOnly, booking(2, 'CANCELLED')));
  // A poison event is CONFIRMED on purpose: the filter lets it through to fail in the function.
  const poison = bytes(makePoisonEvent({ runId: 'run-1', seq: 3, intendedAt: 1_700_000_000_000, flight: 'LH1234', eventBytes: 512 }));
  assert.ok(kafkaRecordMatches(confirmedOnly, poison));
  assert.not.ok(kafkaRecordMatches(confirmedOnly, json({ status: null })), 'a null status is not CONFIRMED');
  assert.not.ok(kafkaRecordMatches(confirmedOnly, json({ status: 'confirmed' })), 'case-sensitive');
  assert.not.ok(kafkaRecordMatches(confirmedOnly, json({ booking: { status: 'CONFIRMED' } })), 'the field must be at the top of the value');
  // The same filter given as the Pattern string of a FilterCriteria.
  const fromText = parseFilterCriteria({ Filters: [{ Pattern: '{ "value" : { "status" : [ "CONFIRMED" ] } }' }] });
  assert.ok(kafkaRecordMatches(fromText, booking(4, 'CONFIRMED')));
  assert.not.ok(kafkaRecordMatches(fromText, 'CONFIRMED'), 'a plain-string value cannot match a JSON pattern');
});

test('a JSON value is filtered as JSON (kafka-filtering.html device_ID example)', () => {
  const p = filters('{ "value" : { "device_ID" : [ { "prefix": "AB" } ] } }');
  const record = { device_ID: 'AB1234', session: { start_time: 'yyyy-mm-ddThh:mm:ss', duration: 162 } };
  assert.ok(kafkaRecordMatches(p, json(record)));
  assert.not.ok(kafkaRecordMatches(p, json({ ...record, device_ID: 'CD5678' })));
  assert.ok(kafkaRecordMatches(filters({ value: { session: { duration: [{ numeric: ['>', 100] }] } } }), json(record)), 'nested fields');
  assert.ok(kafkaRecordMatches(p, `  ${JSON.stringify(record)}\n`), 'whitespace around JSON is allowed');
  assert.ok(kafkaRecordMatches(filters({ value: { id: [1] } }), '[{"id": 1}, {"id": 2}]'), 'a JSON array value is JSON too');
});

test('a plain-string value is filtered as a string (kafka-filtering.html "error" example)', () => {
  const notError = filters('{ "value" : [ { "anything-but": [ "error" ] } ] }');
  assert.is(notError[0].format, 'plain-string');
  assert.ok(kafkaRecordMatches(notError, 'Hello, this is a test.'));
  assert.not.ok(kafkaRecordMatches(notError, 'error'));
  // aws-samples lambda-esm-msk-filters-sam: {"value":[{"prefix":"OrderNumber"}]}
  const orders = filters({ value: [{ prefix: 'OrderNumber' }] });
  assert.ok(kafkaRecordMatches(orders, bytes('OrderNumber: 1234')));
  assert.not.ok(kafkaRecordMatches(orders, bytes('Invoice 1234')));
  assert.ok(kafkaRecordMatches(filters({ value: [{ 'equals-ignore-case': 'hello' }] }), 'HELLO'));
  assert.ok(kafkaRecordMatches(filters({ value: ['exact text'] }), bytes('exact text')));
});

test('a value in the other format than the pattern expects never satisfies its value conditions', () => {
  // kafka-filtering.html table: format mismatch -> "Lambda filters (on the other metadata
  // properties only)"; Kafka has no other property, so the value counts as absent.
  const jsonPattern = filters({ value: { status: [{ 'anything-but': ['CANCELLED'] }] } });
  const stringPattern = filters({ value: [{ 'anything-but': ['error'] }] });
  assert.not.ok(kafkaRecordMatches(jsonPattern, 'just text'));
  assert.not.ok(kafkaRecordMatches(stringPattern, json({ status: 'CONFIRMED' })));
  assert.ok(kafkaRecordMatches(filters({ value: [{ exists: false }] }), json({ status: 'CONFIRMED' })), 'only absence holds');
  // A value that is a bare JSON scalar is the plain string it is written as.
  assert.ok(kafkaRecordMatches(filters({ value: ['42'] }), '42'));
  assert.not.ok(kafkaRecordMatches(filters({ value: [42] }), '42'));
  assert.ok(kafkaRecordMatches(filters({ value: ['"quoted"'] }), '"quoted"'));
  // Text after a JSON object makes the value a plain string.
  assert.ok(kafkaRecordMatches(filters({ value: [{ prefix: '{' }] }), '{"a": 1} trailing'));
  assert.not.ok(kafkaRecordMatches(filters({ value: { a: [1] } }), '{"a": 1} trailing'));
});

test('non-UTF-8 bytes: no value condition can read the value', () => {
  // kafka-filtering.html: "Lambda decodes Kafka byte arrays into UTF-8 before applying filter
  // criteria"; a non-UTF-8 value gets metadata filtering only.
  const latin1 = new Uint8Array([0x63, 0x61, 0x66, 0xe9]); // "café" in ISO-8859-1
  const utf16 = new Uint8Array([0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00]); // "{}" in UTF-16LE with BOM
  assert.equal(decodeKafkaValue(latin1), { kind: 'not-utf8' });
  assert.equal(decodeKafkaValue(utf16), { kind: 'not-utf8' });
  for (const value of [latin1, utf16]) {
    assert.not.ok(kafkaRecordMatches(filters({ value: [{ prefix: 'caf' }] }), value));
    assert.not.ok(kafkaRecordMatches(filters({ value: [{ 'anything-but': ['x'] }] }), value));
    // The value counts as absent, so only absence holds (at any depth).
    assert.ok(kafkaRecordMatches(filters({ value: [{ exists: false }] }), value));
    assert.ok(kafkaRecordMatches(filters({ value: { a: [{ exists: false }] } }), value));
    assert.not.ok(kafkaRecordMatches(filters({ value: { a: [{ exists: true }] } }), value));
  }
  assert.equal(decodeKafkaValue('\ud800 lone surrogate'), { kind: 'not-utf8' });
  assert.equal(decodeKafkaValue(bytes('café')), { kind: 'plain-string', text: 'café' });
});

test('empty and missing values', () => {
  const empty = new Uint8Array(0);
  assert.equal(decodeKafkaValue(empty), { kind: 'plain-string', text: '' });
  assert.ok(kafkaRecordMatches(filters({ value: [''] }), empty), 'Empty: "value": [""]');
  assert.ok(kafkaRecordMatches(filters({ value: [{ exists: true }] }), empty));
  assert.not.ok(kafkaRecordMatches(filters({ value: [{ prefix: 'a' }] }), empty));
  assert.not.ok(kafkaRecordMatches(filters({ value: { status: [{ 'anything-but': 'x' }] } }), empty), 'an empty value is not JSON');
  // A tombstone (null value) has no value at all.
  assert.not.ok(kafkaRecordMatches(filters({ value: [''] }), null));
  assert.not.ok(kafkaRecordMatches(filters({ value: [{ exists: true }] }), null));
  assert.ok(kafkaRecordMatches(filters({ value: [{ exists: false }] }), null));
});

test('no filters: every record passes, whatever its value', () => {
  assert.ok(kafkaRecordMatches([], json({ status: 'PENDING' })));
  assert.ok(kafkaRecordMatches([], new Uint8Array([0xff])));
  assert.ok(kafkaRecordMatches([], null));
  assert.equal(parseFilterCriteria({}), []);
  assert.equal(parseFilterCriteria({ Filters: [] }), []);
});

test('filters are ORed: a record passes if any filter matches', () => {
  // aws-samples lambda-esm-msk-filters-sam, function 4: code >= 300, or RBAC is true.
  const either = parseFilterCriteria({
    Filters: [{ Pattern: '{"value":{"responseStatus":{"code":[{"numeric":[">=",300]}]}}}' }, { Pattern: '{"value":{"RBAC":[true]}}' }],
  });
  assert.ok(kafkaRecordMatches(either, json({ responseStatus: { code: 300 } })));
  assert.ok(kafkaRecordMatches(either, json({ RBAC: true })));
  assert.ok(kafkaRecordMatches(either, json({ responseStatus: { code: 404 }, RBAC: false })));
  assert.not.ok(kafkaRecordMatches(either, json({ responseStatus: { code: 200 }, RBAC: false })));
  // One JSON filter and one plain-string filter cover both kinds of record.
  const mixed = filters({ value: { kind: ['Event'] } }, { value: [{ prefix: 'Order' }] });
  assert.ok(kafkaRecordMatches(mixed, json({ kind: 'Event' })));
  assert.ok(kafkaRecordMatches(mixed, 'Order 17'));
  assert.not.ok(kafkaRecordMatches(mixed, json({ kind: 'Order' })));
  assert.not.ok(kafkaRecordMatches(mixed, 'Event'));
  // Function 3: kind is Event AND responseStatus.code = 300.
  const both = filters('{"value":{"kind":["Event"],"responseStatus":{"code":[{"numeric":["=",300]}]}}}');
  assert.ok(kafkaRecordMatches(both, json({ kind: 'Event', responseStatus: { code: 300 } })));
  assert.not.ok(kafkaRecordMatches(both, json({ kind: 'Event', responseStatus: { code: 301 } })));
});

test('Lambda event records: the base64 value is decoded first (kafka-filtering.html sample record)', () => {
  const notError = filters({ value: [{ 'anything-but': ['error'] }] });
  const record = { topic: 'mytopic', partition: 0, offset: 15, timestamp: 1545084650987, value: 'SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg==' };
  assert.equal(new TextDecoder().decode(decodeBase64Value(record.value)!), 'Hello, this is a test.');
  assert.ok(kafkaEventRecordMatches(notError, record));
  assert.not.ok(kafkaEventRecordMatches(notError, { value: Buffer.from('error').toString('base64') }));
  assert.ok(kafkaEventRecordMatches(filters({ value: { status: ['CONFIRMED'] } }), { value: Buffer.from('{"status":"CONFIRMED"}').toString('base64') }));
  assert.ok(kafkaEventRecordMatches(filters({ value: [{ exists: false }] }), { value: null }), 'a null value stays absent');
  assert.throws(() => kafkaEventRecordMatches(notError, { value: 'not base64!' }), /not base64/);
});

test('numbers in Kafka JSON values: Equals compares text, numeric compares values', () => {
  const text = filters('{"value": {"code": [300]}}');
  const numeric = filters('{"value": {"code": [{"numeric": ["=", 300]}]}}');
  assert.ok(kafkaRecordMatches(text, '{"code": 300}'));
  assert.not.ok(kafkaRecordMatches(text, '{"code": 300.0}'));
  assert.ok(kafkaRecordMatches(numeric, '{"code": 300.0}'));
  assert.ok(kafkaRecordMatches(numeric, '{"code": 3e2}'));
});

test('validation: only "value" can be filtered', () => {
  const key = rejection(() => parseFilterPattern({ key: { a: [1] } }));
  assert.is(key.path, 'key');
  assert.match(key.message, /the record key cannot be filtered/);
  assert.match(key.message, /only support filtering on the value key/);
  assert.match(key.message, /kafka-filtering\.html/);
  for (const other of ['topic', 'partition', 'offset', 'headers', 'timestamp']) {
    assert.is(rejection(() => parseFilterPattern({ [other]: ['x'], value: ['y'] })).path, other);
  }
  assert.is(rejection(() => parseFilterPattern({ value: { a: [1] }, key: { b: [2] } })).path, 'key');
  assert.is(rejection(() => parseFilterPattern({ $or: [{ value: ['a'] }, { key: ['b'] }] })).path, '$or[1].key');
  // $or at the top level is fine when each object only holds "value", in one format.
  const topOr = filters({ $or: [{ value: { a: [1] } }, { value: { b: [2] } }] });
  assert.ok(kafkaRecordMatches(topOr, '{"b": 2}'));
  const mixed = rejection(() => parseFilterPattern({ $or: [{ value: { a: [1] } }, { value: ['b'] }] }));
  assert.match(mixed.problem, /both as JSON .* and as a plain string/);
});

test('validation: a leaf that is not an array, an unknown operator, a Lambda-unsupported operator', () => {
  const leaf = rejection(() => parseFilterPattern('{"value": {"status": "CONFIRMED"}}'));
  assert.is(leaf.path, 'value.status');
  assert.match(leaf.message, /the string "CONFIRMED", not an array or object/);
  assert.match(leaf.message, /Expected an array of match values such as \["CONFIRMED"\]/);
  assert.is(rejection(() => parseFilterPattern({ value: 'CONFIRMED' })).path, 'value');
  const unknown = rejection(() => parseFilterPattern({ value: { status: [{ contains: 'CONF' }] } }));
  assert.is(unknown.path, 'value.status[0].contains');
  assert.match(unknown.message, /"contains" is not a known operator. Expected one of equals-ignore-case, anything-but, numeric, exists, prefix, suffix/);
  const wildcard = rejection(() => parseFilterPattern({ value: [{ wildcard: 'Order*' }] }));
  assert.match(wildcard.message, /invocation-eventfiltering\.html#filtering-syntax/);
  assert.ok(kafkaRecordMatches([parseFilterPattern({ value: [{ wildcard: 'Order*' }] }, { dialect: 'eventbridge' })], 'Order 1'));
  assert.match(rejection(() => parseFilterPattern('{"value": {"status": ["CONFIRMED"]')).message, /not valid JSON/);
  assert.match(rejection(() => parseFilterPattern('["value"]')).message, /a JSON object/);
});

test('validation: a pattern is at most 4096 characters', () => {
  const padding = (n: number) => 'x'.repeat(n);
  const base = '{"value":{"a":[""]}}'.length;
  const atLimit = `{"value":{"a":["${padding(4096 - base)}"]}}`;
  assert.is(atLimit.length, 4096);
  assert.is(parseFilterPattern(atLimit).format, 'json');
  const over = `{"value":{"a":["${padding(4097 - base)}"]}}`;
  const error = rejection(() => parseFilterPattern(over));
  assert.is(error.path, '(pattern)');
  assert.match(error.message, /the pattern is 4097 characters long. Expected at most 4096 characters/);
  assert.match(rejection(() => parseFilterPattern({ value: { big: [padding(5000)] } })).message, /characters long/);
});

test('validation: at most 5 filters per mapping (10 with a quota increase)', () => {
  const one = { value: { status: ['CONFIRMED'] } };
  assert.is(parseFilterCriteria([one, one, one, one, one]).length, 5);
  assert.throws(
    () => parseFilterCriteria([one, one, one, one, one, one]),
    (e: unknown) => e instanceof FilterCriteriaError && /6 filters; an event source mapping allows at most 5/.test((e as Error).message),
  );
  assert.is(parseFilterCriteria(Array(10).fill(one), { maxFilters: 10 }).length, 10);
  assert.throws(() => parseFilterCriteria([one], { maxFilters: 11 }), RangeError);
  const where = rejection(() => parseFilterCriteria({ Filters: [{ Pattern: JSON.stringify(one) }, { Pattern: '{"value": {"status": []}}' }] }));
  assert.is(where.path, 'Filters[1] value.status');
  assert.throws(() => parseFilterCriteria({ Filters: [{}] }), /Filters\[0\]\.Pattern must be a string/);
});

test.run();
