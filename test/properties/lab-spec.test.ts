// Properties of validateLabSpec (labs/lab-spec.ts) over arbitrary mutations of the real lab
// specs: it throws nothing but LabSpecError, never accepts a value outside the AWS limits
// (checked by the independent oracle in aws-limits.ts), and when it refuses a value
// the oracle refuses, the message names that field, its value, the allowed range and the rule.
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UsageError } from '../../harness/errors.ts';
import { applyOverrides, checkFilterSyntax, parseOverride } from '../../harness/overrides.ts';
import { LABS } from '../../labs/index.ts';
import { describeProblem, type LabSpec, LabSpecError, validateLabSpec } from '../../labs/lab-spec.ts';
import { awsViolations } from './aws-limits.ts';
import { mutation, setPath } from './spec-mutations.ts';
import { errorKind, REPLAY } from './support.ts';

const mutatedSpec = fc.tuple(fc.constantFrom(...LABS), fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([lab, mutations]) => {
  const spec = structuredClone(lab) as unknown as Record<string, unknown>;
  for (const [path, value] of mutations) setPath(spec, path, value);
  return { lab, mutations, spec: spec as unknown as LabSpec };
});

type Verdict = { accepted: true } | { accepted: false; error: LabSpecError };

/** validateLabSpec's verdict; any exception but LabSpecError fails the property. */
function verdict(spec: LabSpec): Verdict {
  let returned: LabSpec;
  try {
    returned = validateLabSpec(spec);
  } catch (error) {
    if (!(error instanceof LabSpecError)) throw new Error(`validateLabSpec threw ${errorKind(error)}`);
    return { accepted: false, error };
  }
  assert.is(returned, spec, 'validateLabSpec returns the spec it was given');
  return { accepted: true };
}

/** A LabSpecError is well formed: at least one problem, each described in the message. */
function checkError(error: LabSpecError, spec: LabSpec): void {
  assert.ok(error.problems.length > 0, 'a LabSpecError lists at least one problem');
  const id = typeof spec?.id === 'string' ? spec.id : '?';
  assert.ok(error.message.startsWith(`Lab ${id} is not a valid configuration:`), error.message.slice(0, 120));
  for (const problem of error.problems) {
    assert.type(problem.path, 'string');
    assert.type(problem.allowed, 'string');
    assert.type(problem.rule, 'string');
    assert.ok(problem.allowed.length > 0 && problem.rule.length > 0);
    assert.ok(error.message.includes(describeProblem(problem)), `the message lists ${problem.path}`);
  }
}

test('the real lab specs pass both the validator and the AWS oracle', () => {
  for (const lab of LABS) {
    assert.is(validateLabSpec(lab), lab);
    assert.equal(awsViolations(lab), [], lab.id);
  }
});

test('mutated lab specs: validateLabSpec returns the spec or throws a well-formed LabSpecError, nothing else', () => {
  fc.assert(
    fc.property(mutatedSpec, ({ spec }) => {
      const result = verdict(spec);
      if (!result.accepted) checkError(result.error, spec);
    }),
    { ...REPLAY, numRuns: 1000 },
  );
});

test('mutated lab specs: nothing outside the AWS limits is ever accepted', () => {
  let accepted = 0;
  fc.assert(
    fc.property(mutatedSpec, ({ spec }) => {
      const result = verdict(spec);
      if (!result.accepted) return;
      accepted++;
      assert.equal(awsViolations(spec), [], 'validateLabSpec accepted a spec AWS would refuse');
    }),
    { ...REPLAY, numRuns: 1000 },
  );
  // Not vacuous: about 11% of the mutated specs are valid (measured); fewer than 6% means the
  // generator drifted and the implication no longer bites.
  assert.ok(accepted >= 60, `only ${accepted} of 1000 mutated specs were accepted`);
});

test('one mutation the AWS oracle refuses: the error names that field, its value and the rule', () => {
  const single = fc.tuple(fc.constantFrom(...LABS), mutation).map(([lab, [path, value]]) => {
    const spec = structuredClone(lab) as unknown as Record<string, unknown>;
    setPath(spec, path, value);
    return { path, value, spec: spec as unknown as LabSpec };
  });
  let refusedByOracle = 0;
  fc.assert(
    fc.property(single, ({ spec }) => {
      const violations = awsViolations(spec);
      const result = verdict(spec);
      if (violations.length === 0) return;
      refusedByOracle++;
      assert.not.ok(result.accepted, `accepted despite ${violations.join('; ')}`);
      if (result.accepted) return;
      for (const violation of violations) {
        const field = violation.slice(0, violation.indexOf(': '));
        const related = (p: string) => p === field || p.startsWith(`${field}.`) || p.startsWith(`${field}[`) || field.startsWith(`${p}.`);
        const problem = error(result).problems.find((p) => related(p.path));
        assert.ok(
          problem,
          `no problem names ${field} (problems: ${error(result)
            .problems.map((p) => p.path)
            .join(', ')})`,
        );
        const line = describeProblem(problem!);
        assert.ok(error(result).message.includes(line));
        assert.match(line, `${problem!.path} = `);
        assert.match(line, ': allowed ');
        assert.match(line, '. Rule: ');
      }
    }),
    { ...REPLAY, numRuns: 1000 },
  );
  assert.ok(refusedByOracle >= 150, `only ${refusedByOracle} of 1000 single mutations broke an AWS limit`);
});

function error(result: Verdict): LabSpecError {
  if (result.accepted) throw new Error('expected a refusal');
  return result.error;
}

// Regression cases for the bug these properties found: a null where an optional group of fields
// belongs (pollers, destination, buffer, batch-size target) made validateLabSpec throw a
// TypeError ("Cannot destructure property 'minimum' of ... as it is null") instead of a LabSpecError.
const NULL_GROUPS: Array<[number, string]> = [
  [3, 'kafkaEsm.provisionedPollers'],
  [2, 'sqsBuffer'],
  [3, 'kafkaEsm.onFailure'],
  [0, 'targets.local.avgBatchSize'],
  [2, 'sqsBuffer.provisionedPollers'],
];
for (const [labIndex, path] of NULL_GROUPS) {
  test(`regression: ${path} = null is a LabSpecError naming ${path}, not a TypeError`, () => {
    const spec = structuredClone(LABS[labIndex]) as unknown as Record<string, unknown>;
    setPath(spec, path, null);
    const result = verdict(spec as unknown as LabSpec);
    assert.not.ok(result.accepted);
    const problem = error(result).problems.find((p) => p.path === path);
    assert.ok(
      problem,
      `problems: ${error(result)
        .problems.map((p) => p.path)
        .join(', ')}`,
    );
    assert.match(describeProblem(problem!), `${path} = null: allowed an `);
  });
}

test('regression: a Kafka destination with the topic section missing is a LabSpecError, not a TypeError', () => {
  const spec = structuredClone(LABS[3]) as unknown as Record<string, unknown>;
  setPath(spec, 'topic', null);
  setPath(spec, 'kafkaEsm.onFailure', { kind: 'kafka' });
  const result = verdict(spec as unknown as LabSpec);
  assert.not.ok(result.accepted);
  assert.ok(error(result).problems.some((p) => p.path === 'topic.name'));
});

// validateLabSpec checks a filter's shape ({"value": ...}, 4096 characters); labs/ may not
// import the sandbox's matcher (README, "Layout and the import rule": nothing in labs/ depends on how it runs locally), so a run checks the EventBridge syntax on top
// (harness/overrides.ts checkFilterSyntax): what AWS refuses never starts.
test('a filter with invalid EventBridge syntax is refused before a run starts', () => {
  for (const value of [{ status: 'CONFIRMED' }, {}, [], { status: [] }, { status: [{ regex: '^C' }] }, { status: [{ numeric: ['>', 6e9] }] }]) {
    const spec = structuredClone(LABS[0]) as unknown as Record<string, unknown>;
    setPath(spec, 'kafkaEsm.filters', [{ value }]);
    assert.throws(
      () => applyOverrides(LABS[0], [parseOverride(`kafkaEsm.filters=${JSON.stringify([{ value }])}`)]),
      (error: unknown) => error instanceof UsageError,
      `accepted the filter ${JSON.stringify({ value })}`,
    );
  }
  for (const lab of LABS) checkFilterSyntax(lab);
});

test.run();
