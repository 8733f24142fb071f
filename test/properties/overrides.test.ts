// Properties of `--set path=value` (harness/overrides.ts): parseOverride throws nothing but
// UsageError, whatever the text; applyOverrides over settable paths gives a spec that validates
// (and that the AWS oracle accepts) or throws UsageError, and never touches the lab it was given.
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UsageError } from '../../harness/errors.ts';
import { applyOverrides, type Override, parseOverride, SETTABLE_PATHS } from '../../harness/overrides.ts';
import { LABS } from '../../labs/index.ts';
import { type LabSpec, validateLabSpec } from '../../labs/lab-spec.ts';
import { awsViolations } from './aws-limits.ts';
import { settablePath, valueFor } from './spec-mutations.ts';
import { anyString, errorKind, REPLAY } from './support.ts';

/** parseOverride's answer; anything thrown but a UsageError fails the property. */
function parse(text: string): Override | UsageError {
  try {
    return parseOverride(text);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw new Error(`parseOverride(${JSON.stringify(text)}) threw ${errorKind(error)}`);
  }
}

/** Near misses of settable paths: case, typos, prefixes, suffixes, separators. */
const pathLike = fc.oneof(
  fc.constantFrom(...SETTABLE_PATHS),
  fc.constantFrom(...SETTABLE_PATHS).map((p) => p.toUpperCase()),
  fc.tuple(fc.constantFrom(...SETTABLE_PATHS), fc.nat(40), anyString(3)).map(([p, i, s]) => p.slice(0, i % (p.length + 1)) + s + p.slice(i % (p.length + 1))),
  fc.constantFrom('', ' ', '.', 'kafkaEsm.', '.batchSize', '__proto__', 'constructor', 'kafkaEsm.__proto__', 'toString', 'kafkaEsm..batchSize'),
  anyString(30),
);
const separator = fc.constantFrom('=', ' = ', '==', '=\u00a0', ':', '');
const rawValue = fc.oneof(
  anyString(30),
  fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
  fc.constantFrom('', ' ', 'unset', 'UNSET', 'null', '{', '[1,', '1e999', '-0', '0x10', '١٠'),
);

test('parseOverride on arbitrary text: an Override for a settable path, or a UsageError', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        anyString(80),
        fc.tuple(pathLike, separator, rawValue).map(([p, s, v]) => `${p}${s}${v}`),
      ),
      (text) => {
        const result = parse(text);
        if (result instanceof UsageError) {
          assert.ok(result.message.length > 0);
          assert.is(result.name, 'UsageError');
          return;
        }
        assert.ok(SETTABLE_PATHS.includes(result.path), `accepted the unknown path ${JSON.stringify(result.path)}`);
        assert.is(result.text, text);
        const raw = text.slice(text.indexOf('=') + 1).trim();
        assert.ok(raw !== '', 'an empty value is refused');
        if (raw === 'unset') assert.is(result.value, undefined);
      },
    ),
    { ...REPLAY, numRuns: 1000 },
  );
});

/** `path=value` for a settable path, the value as typed on a command line. */
const overrideText = settablePath.chain((path) =>
  fc
    .oneof(
      { weight: 6, arbitrary: valueFor(path).map((v) => (v === undefined ? 'unset' : (JSON.stringify(v) ?? 'unset'))) },
      { weight: 1, arbitrary: rawValue.filter((v) => v.trim() !== '') },
    )
    .chain((value) => fc.constantFrom('=', ' = ', '= ').map((sep) => `${path}${sep}${value}`)),
);

test('applyOverrides over settable paths: a spec that validates and that AWS accepts, or a UsageError', () => {
  let applied = 0;
  fc.assert(
    fc.property(fc.constantFrom(...LABS), fc.array(overrideText, { minLength: 1, maxLength: 3 }), (lab, texts) => {
      const before = JSON.stringify(lab);
      const overrides = texts.map((t) => parseOverride(t));
      let result: LabSpec;
      try {
        result = applyOverrides(lab, overrides);
      } catch (error) {
        if (!(error instanceof UsageError)) throw new Error(`applyOverrides(${texts.join(' ')}) threw ${errorKind(error)}`);
        assert.ok(error.message.startsWith(`With --set ${texts.join(', ')}, lab `), error.message.slice(0, 200));
        assert.is(JSON.stringify(lab), before, 'the lab given to applyOverrides was changed');
        return;
      }
      applied++;
      assert.is(JSON.stringify(lab), before, 'the lab given to applyOverrides was changed');
      assert.is.not(result, lab, 'overrides apply to a copy');
      assert.is(validateLabSpec(result), result);
      assert.equal(awsViolations(result), [], `--set ${texts.join(' --set ')} gave a spec AWS would refuse`);
    }),
    { ...REPLAY, numRuns: 1000 },
  );
  // Not vacuous: about 12% of the override sets are valid (measured); under 5% means drift.
  assert.ok(applied >= 50, `only ${applied} of 1000 override sets were accepted`);
});

// Paths whose only rule is an AWS range (no cross-field rule in any lab): the override is accepted
// exactly when the number is inside the range, so the validator is neither stricter nor looser.
const EXACT: Array<[string, number, number, (lab: LabSpec) => boolean]> = [
  ['kafkaEsm.batchSize', 1, 10000, () => true],
  ['kafkaEsm.batchingWindowSeconds', 0, 300, () => true],
  ['processor.memoryMb', 128, 10240, () => true],
  ['kafkaEsm.maximumRetryAttempts', 0, 10000, (lab) => lab.kafkaEsm.provisionedPollers !== undefined],
  ['kafkaEsm.maximumRecordAgeSeconds', 60, 604800, (lab) => lab.kafkaEsm.provisionedPollers !== undefined],
  ['sqsBuffer.maximumConcurrency', 2, 1000, (lab) => lab.sqsBuffer !== undefined && lab.sqsBuffer.provisionedPollers === undefined],
];

test('a number on a range-only path is accepted exactly inside the AWS range', () => {
  const cases = fc
    .constantFrom(...EXACT)
    .chain(([path, lo, hi, applies]) =>
      fc.tuple(
        fc.constant(path),
        fc.constant([lo, hi] as const),
        fc.constantFrom(...LABS.filter(applies)),
        fc.oneof(fc.integer({ min: lo - 3, max: hi + 3 }), fc.constantFrom(lo - 1, lo, hi, hi + 1, lo + 0.5, -1, 1e9)),
      ),
    );
  fc.assert(
    fc.property(cases, ([path, [lo, hi], lab, n]) => {
      const inRange = Number.isInteger(n) && n >= lo && n <= hi;
      const infinite = n === -1 && (path === 'kafkaEsm.maximumRetryAttempts' || path === 'kafkaEsm.maximumRecordAgeSeconds');
      let accepted = true;
      try {
        applyOverrides(lab, [parseOverride(`${path}=${n}`)]);
      } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        accepted = false;
        assert.match(error.message, `${path} = ${JSON.stringify(n)}: allowed `);
      }
      assert.is(accepted, inRange || infinite, `${lab.id}: --set ${path}=${n}`);
    }),
    { ...REPLAY, numRuns: 1000 },
  );
});

// Regression: these made applyOverrides throw a TypeError (from validateLabSpec) instead of a UsageError.
for (const text of [
  'sqsBuffer=null',
  'kafkaEsm.provisionedPollers=null',
  'kafkaEsm.onFailure=null',
  'targets.local.avgBatchSize=null',
  'sqsBuffer.provisionedPollers=null',
]) {
  test(`regression: --set ${text} is a UsageError naming the field`, () => {
    for (const lab of LABS) {
      try {
        applyOverrides(lab, [parseOverride(text)]);
        assert.unreachable(`${lab.id} accepted --set ${text}`);
      } catch (error) {
        assert.instance(error, UsageError, errorKind(error));
        assert.match((error as Error).message, `With --set ${text}, lab ${lab.id} is not a valid configuration`);
        assert.match((error as Error).message, `${text.replace('=null', '')} = null: allowed `);
      }
    }
  });
}

test.run();
