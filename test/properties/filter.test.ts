// Properties of the sandbox's Lambda filter criteria (sandbox/filter/): parseFilterPattern and
// parseFilterCriteria throw only their documented errors (EventPatternError, FilterCriteriaError)
// whatever the pattern; kafkaRecordMatches never throws and answers a boolean whatever the
// record; an exact-match pattern built from a JSON value matches that value.
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  EventPatternError,
  FilterCriteriaError,
  type KafkaFilterPattern,
  kafkaRecordMatches,
  type PatternDialect,
  parseFilterCriteria,
  parseFilterPattern,
} from '../../sandbox/filter/index.ts';
import { anyString, errorKind, hasLoneSurrogate, REPLAY } from './support.ts';

// --- generators: patterns in the EventBridge grammar, right and wrong -------------------------

const FIELDS = ['status', 'seq', 'a', 'b', 'price', 'nested', '', 'prefix', 'numeric', 'exists', '$or', 'value'];
const field = fc.constantFrom(...FIELDS);
const number = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -0, 5e9, -5e9, 5.000001e9, 1e21, 0.1, 300),
);
const scalar: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.constantFrom('CONFIRMED', 'AB', 'x*y', '10.0.0.1'),
  number,
  fc.boolean(),
  fc.constant(null),
);
const junk: fc.Arbitrary<unknown> = fc.oneof(scalar, fc.constant([]), fc.constant({}), fc.jsonValue({ maxDepth: 1 }));

const operator: fc.Arbitrary<unknown> = fc.oneof(
  fc.record({ prefix: fc.oneof(fc.string({ maxLength: 4 }), fc.record({ 'equals-ignore-case': fc.oneof(fc.string({ maxLength: 4 }), junk) }), junk) }),
  fc.record({ suffix: fc.oneof(fc.string({ maxLength: 4 }), fc.record({ 'equals-ignore-case': fc.string({ maxLength: 4 }) }), junk) }),
  fc.record({ 'equals-ignore-case': fc.oneof(fc.string({ maxLength: 4 }), junk) }),
  fc.record({
    'anything-but': fc.oneof(
      fc.string({ maxLength: 4 }),
      number,
      fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }),
      fc.array(number, { maxLength: 3 }),
      fc.array(scalar, { maxLength: 3 }),
      fc.record({ prefix: fc.oneof(fc.string({ maxLength: 3 }), fc.array(fc.string({ maxLength: 3 }), { maxLength: 2 })) }),
      fc.record({ suffix: fc.string({ maxLength: 3 }) }),
      fc.record({ 'equals-ignore-case': fc.oneof(fc.string({ maxLength: 3 }), fc.array(junk, { maxLength: 2 })) }),
      fc.record({ wildcard: fc.constantFrom('a*', '**', 'a\\b', '\\*x', '') }),
      junk,
    ),
  }),
  fc.record({
    numeric: fc.oneof(
      fc.tuple(fc.constantFrom('=', '<', '<=', '>', '>='), number),
      fc.tuple(fc.constantFrom('>', '>='), number, fc.constantFrom('<', '<=', '>', '='), number),
      fc.array(fc.oneof(fc.constantFrom('=', '<', '>', '>=', '<=', '!='), number, junk), { maxLength: 5 }),
      junk,
    ),
  }),
  fc.record({ exists: fc.oneof(fc.boolean(), junk) }),
  fc.record({ wildcard: fc.oneof(fc.constantFrom('*', 'a*b', 'a**b', 'a\\*b', 'a\\\\b', 'a\\b', 'dir/*.png'), junk) }),
  fc.record({ cidr: fc.oneof(fc.constantFrom('10.0.0.0/24', '10.0.0.0/33', '2001:db8::/32', '::/0', '1.2.3.4', '256.0.0.0/8', '::ffff:1.2.3.4/120'), junk) }),
  fc.dictionary(fc.constantFrom('prefix', 'suffix', 'unknown-op', 'exactly', 'regex'), junk, { maxKeys: 3 }),
);

/** A field's array of match values: scalars and operator objects, sometimes empty or nested. */
const matchArray: fc.Arbitrary<unknown[]> = fc.oneof(
  {
    weight: 9,
    arbitrary: fc.array(fc.oneof({ weight: 5, arbitrary: scalar }, { weight: 3, arbitrary: operator }, { weight: 1, arbitrary: fc.constant([1]) }), {
      minLength: 1,
      maxLength: 3,
    }),
  },
  { weight: 1, arbitrary: fc.constant<unknown[]>([]) },
);

/** Nested pattern objects, with $or and wrong-typed leaves now and then. */
const { node } = fc.letrec<{ node: Record<string, unknown>; or: unknown }>((tie) => ({
  node: fc.dictionary(
    field,
    fc.oneof(
      { depthSize: 'small', maxDepth: 2 },
      { weight: 6, arbitrary: matchArray },
      { weight: 2, arbitrary: tie('node') },
      { weight: 1, arbitrary: tie('or') },
      { weight: 1, arbitrary: junk },
    ),
    { minKeys: 1, maxKeys: 2 },
  ),
  or: fc.array(tie('node'), { maxLength: 3 }),
}));

/** A whole Kafka filter pattern: {"value": {...} | [...]}, with the usual mistakes mixed in. */
const pattern: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ value: fc.oneof(node, matchArray) }) },
  { weight: 1, arbitrary: fc.record({ $or: fc.array(fc.record({ value: fc.oneof(node, matchArray) }), { maxLength: 3 }) }) },
  { weight: 1, arbitrary: fc.dictionary(fc.constantFrom('value', 'key', 'topic', 'partition', '$or'), fc.oneof(node, matchArray, junk), { maxKeys: 3 }) },
  { weight: 1, arbitrary: junk },
);

const dialect = fc.constantFrom<PatternDialect | undefined>(undefined, 'lambda', 'eventbridge');

/** The pattern as an object, as JSON text, or as JSON text with its whitespace and escapes. */
const patternInput: fc.Arbitrary<string | object> = fc.oneof(
  pattern.filter((p): p is object => typeof p === 'object' && p !== null),
  pattern.map((p) => JSON.stringify(p) ?? 'undefined'),
  pattern.map((p) => JSON.stringify(p, null, 2) ?? ''),
);

/** parseFilterPattern's answer; anything thrown but an EventPatternError fails the property. */
function compile(input: string | object, options: { dialect?: PatternDialect } = {}): KafkaFilterPattern | EventPatternError {
  try {
    return parseFilterPattern(input, options);
  } catch (error) {
    if (error instanceof EventPatternError) {
      assert.ok(error.message.startsWith('Invalid filter pattern at '), error.message);
      assert.type(error.path, 'string');
      assert.ok(error.problem.length > 0 && error.expected.length > 0);
      assert.match(error.doc, /^https:\/\//);
      return error;
    }
    const shown = typeof input === 'string' ? input : JSON.stringify(input);
    throw new Error(`parseFilterPattern(${shown?.slice(0, 300)}) threw ${errorKind(error)}`);
  }
}

// --- values: records as Lambda's filter would see them ----------------------------------------

const jsonish: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', maxDepth: 3 },
    { weight: 3, arbitrary: scalar },
    { weight: 1, arbitrary: fc.array(tie('v'), { maxLength: 3 }) },
    { weight: 2, arbitrary: fc.dictionary(field, tie('v'), { maxKeys: 3 }) },
  ),
})).v;

const recordValue: fc.Arbitrary<Uint8Array | string | null> = fc.oneof(
  fc.constant(null),
  fc.uint8Array({ maxLength: 60 }),
  anyString(40),
  jsonish.map((v) => JSON.stringify(v) ?? ''),
  jsonish.map((v) => new Uint8Array(Buffer.from(JSON.stringify(v) ?? '', 'utf8'))),
  fc.constantFrom('', ' ', '{', '[]', '{}', 'null', '42', '"CONFIRMED"', 'CONFIRMED', '\uFEFF{"status":"CONFIRMED"}', '{"status":"CONFIRMED"} trailing'),
);

// --- properties -------------------------------------------------------------------------------

test('parseFilterPattern on arbitrary text: a compiled pattern or an EventPatternError', () => {
  fc.assert(
    fc.property(fc.oneof(anyString(60), fc.json({ maxDepth: 3 }), fc.string({ unit: 'binary', maxLength: 60 })), dialect, (text, d) => {
      compile(text, { dialect: d });
    }),
    { ...REPLAY, numRuns: 1000 },
  );
});

test('parseFilterPattern on arbitrary JavaScript values (Dates, Maps, sparse arrays, BigInt...): only EventPatternError', () => {
  const anything = fc.anything({
    maxDepth: 3,
    withBigInt: true,
    withBoxedValues: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
    withSparseArray: true,
    withTypedArray: true,
    withObjectString: true,
  });
  fc.assert(
    fc.property(fc.oneof(anything, fc.record({ value: anything })), dialect, (value, d) => {
      if (typeof value !== 'object' || value === null) {
        // Outside the declared parameter type (string | object): only objects are meaningful.
        return;
      }
      compile(value, { dialect: d });
    }),
    { ...REPLAY, numRuns: 1000 },
  );
});

test('parseFilterPattern on generated patterns (both dialects): only EventPatternError; accepted ones are well formed', () => {
  let accepted = 0;
  fc.assert(
    fc.property(patternInput, dialect, (input, d) => {
      const result = compile(input, { dialect: d });
      if (result instanceof EventPatternError) return;
      accepted++;
      assert.ok(result.format === 'json' || result.format === 'plain-string');
      // The compact JSON it keeps compiles again to the same format.
      const again = compile(result.json, { dialect: d });
      assert.not.instance(again, EventPatternError, `its own JSON was refused: ${result.json}`);
      assert.is((again as KafkaFilterPattern).format, result.format);
    }),
    { ...REPLAY, numRuns: 1000 },
  );
  assert.ok(accepted >= 100, `only ${accepted} of 1000 generated patterns compiled`);
});

test('parseFilterCriteria: only EventPatternError or FilterCriteriaError, and never more filters than allowed', () => {
  const criteria = fc.oneof(
    fc.array(patternInput, { maxLength: 8 }),
    fc.record(
      {
        Filters: fc.array(
          fc.oneof(
            { weight: 4, arbitrary: patternInput.map((p) => ({ Pattern: typeof p === 'string' ? p : JSON.stringify(p) })) },
            { weight: 1, arbitrary: fc.constantFrom({}, { Pattern: 5 }, { Pattern: null }, null) },
          ),
          { maxLength: 8 },
        ),
      },
      { requiredKeys: [] },
    ),
  );
  fc.assert(
    fc.property(criteria, fc.option(fc.integer({ min: 1, max: 10 }), { nil: undefined }), dialect, (input, maxFilters, d) => {
      let result: KafkaFilterPattern[];
      try {
        result = parseFilterCriteria(input as Parameters<typeof parseFilterCriteria>[0], { dialect: d, ...(maxFilters !== undefined ? { maxFilters } : {}) });
      } catch (error) {
        if (error instanceof EventPatternError || error instanceof FilterCriteriaError) return;
        throw new Error(`parseFilterCriteria threw ${errorKind(error)}`);
      }
      const count = Array.isArray(input) ? input.length : ((input as { Filters?: unknown[] }).Filters ?? []).length;
      assert.is(result.length, count);
      assert.ok(count <= (maxFilters ?? 5), `accepted ${count} filters with maxFilters ${maxFilters ?? '(default 5)'}`);
    }),
    { ...REPLAY, numRuns: 1000 },
  );
});

/** Generated patterns that compile (about one in five does), already compiled. */
const compiledPattern: fc.Arbitrary<KafkaFilterPattern> = fc
  .tuple(patternInput, dialect)
  .map(([p, d]) => compile(p, { dialect: d }))
  .filter((p): p is KafkaFilterPattern => !(p instanceof EventPatternError));

test('kafkaRecordMatches never throws and returns a boolean, whatever the patterns and the record value', () => {
  let matched = 0;
  fc.assert(
    fc.property(fc.array(compiledPattern, { maxLength: 5 }), fc.array(recordValue, { minLength: 1, maxLength: 4 }), (patterns, values) => {
      for (const value of values) {
        let result: unknown;
        try {
          result = kafkaRecordMatches(patterns, value);
        } catch (error) {
          throw new Error(`kafkaRecordMatches threw ${errorKind(error)} for ${patterns.map((p) => p.json).join(' | ')}`);
        }
        assert.type(result, 'boolean');
        if (patterns.length === 0) assert.ok(result, 'no filters: every record passes');
        if (result) matched++;
      }
    }),
    { ...REPLAY, numRuns: 1000 },
  );
  assert.ok(matched >= 100, `only ${matched} records matched`);
});

// --- exact-match patterns built from a value -------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * An exact-match pattern for a JSON value: each chosen leaf becomes `"field": [leaf]`; an array
 * contributes one of its elements (a scalar, or the fields of one object, as event-ruler's
 * array consistency requires). Undefined when nothing could be chosen.
 */
function exactPattern(value: Json, choose: () => boolean): Json | undefined {
  if (value === null || typeof value !== 'object') return [value];
  if (Array.isArray(value)) {
    const flat = (value as Json[]).flat(Infinity as 1) as Json[];
    for (const element of flat) {
      const sub = exactPattern(element, choose);
      if (sub !== undefined) return sub;
    }
    return undefined;
  }
  const out: Record<string, Json> = Object.create(null);
  const entries = Object.entries(value);
  let any = false;
  for (const [key, child] of entries) {
    const sub = exactPattern(child, choose);
    if (sub === undefined) continue;
    if (!choose() && any) continue; // a random subset of the fields, at least one
    out[key] = sub;
    any = true;
  }
  return any ? out : undefined;
}

const keyArb = fc.oneof(
  fc.constantFrom(...FIELDS.filter((f) => f !== '$or')),
  anyString(6).filter((k) => k !== '$or' && !hasLoneSurrogate(k)),
);
const leaf = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('', 'CONFIRMED', '300', '😀', 'שלום', '\u0000'),
);
const jsonValue: fc.Arbitrary<Json> = fc.letrec<{ v: Json }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', maxDepth: 3 },
    { weight: 3, arbitrary: leaf as fc.Arbitrary<Json> },
    { weight: 1, arbitrary: fc.array(tie('v'), { maxLength: 3 }) },
    { weight: 2, arbitrary: fc.dictionary(keyArb, tie('v'), { maxKeys: 4, noNullPrototype: true }) as fc.Arbitrary<Json> },
  ),
})).v;

test('an exact-match pattern built from a JSON record value matches that value (as text and as bytes)', () => {
  fc.assert(
    fc.property(
      fc.dictionary(keyArb, jsonValue, { minKeys: 1, maxKeys: 5, noNullPrototype: true }),
      fc.infiniteStream(fc.boolean()),
      dialect,
      (value, coins, d) => {
        const stream = coins[Symbol.iterator]();
        const built = exactPattern(value, () => stream.next().value as boolean);
        fc.pre(built !== undefined);
        const text = JSON.stringify({ value: built });
        fc.pre(text.length <= 4096);
        const compiled = compile(text, { dialect: d });
        assert.not.instance(compiled, EventPatternError, `refused the exact pattern ${text}: ${(compiled as Error).message}`);
        const patterns = [compiled as KafkaFilterPattern];
        assert.is((compiled as KafkaFilterPattern).format, 'json');
        const record = JSON.stringify(value);
        assert.ok(kafkaRecordMatches(patterns, record), `${text} does not match ${record}`);
        assert.ok(kafkaRecordMatches(patterns, new Uint8Array(Buffer.from(record, 'utf8'))), `${text} does not match the bytes of ${record}`);
      },
    ),
    { ...REPLAY, numRuns: 1000 },
  );
});

test('an exact-match plain-string pattern matches that string (unless the string is itself JSON)', () => {
  fc.assert(
    fc.property(anyString(40), dialect, (text, d) => {
      fc.pre(!hasLoneSurrogate(text));
      const compiled = compile({ value: [text] }, { dialect: d });
      assert.not.instance(compiled, EventPatternError);
      const patterns = [compiled as KafkaFilterPattern];
      const first = text.trimStart()[0];
      let isJsonContainer = false;
      if (first === '{' || first === '[') {
        try {
          JSON.parse(text);
          isJsonContainer = true;
        } catch {}
      }
      // A value that is a JSON object or array is filtered as JSON, never as a plain string.
      assert.is(kafkaRecordMatches(patterns, text), !isJsonContainer, JSON.stringify(text));
      assert.is(kafkaRecordMatches(patterns, new Uint8Array(Buffer.from(text, 'utf8'))), !isJsonContainer);
    }),
    { ...REPLAY, numRuns: 1000 },
  );
});

// Regression: each "$or" multiplies the combinations a pattern expands to; 18 sibling "$or"s
// (649 characters) once overflowed the stack with a RangeError. Past MAX_PATTERN_COMBINATIONS
// the pattern is now refused with an EventPatternError, at once.
test('many sibling $or fail fast with EventPatternError, never a RangeError', () => {
  const fields = Array.from({ length: 18 }, (_, i) => `"f${i}":{"$or":[{"a":[1]},{"b":[2]}]}`);
  const started = Date.now();
  const refused = compile(`{"value":{${fields.join(',')}}}`);
  assert.instance(refused, EventPatternError);
  assert.match((refused as EventPatternError).message, 'combinations');
  assert.ok(Date.now() - started < 1000, 'refusing took over a second');
  const few = Array.from({ length: 4 }, (_, i) => `"f${i}":{"$or":[{"a":[1]},{"b":[2]}]}`);
  assert.not.instance(compile(`{"value":{${few.join(',')}}}`), EventPatternError);
});

test.run();
