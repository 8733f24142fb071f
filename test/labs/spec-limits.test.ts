import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KAFKA_MAX_BATCH_SIZE, MAX_MEMORY_MB, SQS_MAX_POLLERS_LIMIT } from '../../labs/aws-limits.ts';
import { LABS } from '../../labs/index.ts';
import { type LabSpec, LabSpecError, type SpecProblem, validateLabSpec } from '../../labs/lab-spec.ts';
import { limitAllowed, limitOf, limitRule, SPEC_LIMITS, type SpecLimit } from '../../labs/spec-limits.ts';

/** Lab 4 has provisioned pollers and error controls; lab 3 an SQS buffer, given provisioned pollers here. */
function baseFor(path: string): LabSpec {
  const lab = structuredClone(path.startsWith('sqsBuffer.') ? LABS[2] : LABS[3]);
  if (lab.sqsBuffer && path.startsWith('sqsBuffer.provisionedPollers')) {
    delete lab.sqsBuffer.maximumConcurrency;
    lab.sqsBuffer.provisionedPollers = { minimum: 2, maximum: 2 };
  }
  return lab;
}

function withValue(base: LabSpec, path: string, value: unknown): LabSpec {
  const keys = path.split('.');
  let node = base as unknown as Record<string, unknown>;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
  node[keys[keys.length - 1]] = value;
  return base;
}

function problems(spec: LabSpec, limits?: readonly SpecLimit[]): SpecProblem[] {
  try {
    validateLabSpec(spec, limits);
    return [];
  } catch (error) {
    assert.instance(error, LabSpecError);
    return (error as LabSpecError).problems;
  }
}

/** The rows whose field is a whole number (filters and the consumer group are a list and a string). */
const NUMERIC = SPEC_LIMITS.filter((l) => !['kafkaEsm.filters', 'kafkaEsm.filters[]', 'kafkaEsm.consumerGroupId'].includes(l.path));

test("every numeric row is the check: its max is accepted, max + 1 refused with the row's range and rule", () => {
  for (const limit of NUMERIC) {
    const atMax = problems(withValue(baseFor(limit.path), limit.path, limit.max)).filter((p) => p.path === limit.path);
    assert.equal(atMax, [], `${limit.path} = ${limit.max} should be accepted`);
    const over = problems(withValue(baseFor(limit.path), limit.path, limit.max + 1)).find((p) => p.path === limit.path);
    assert.ok(over, `${limit.path} = ${limit.max + 1} should be refused`);
    assert.is(over.allowed, limitAllowed(limit));
    assert.is(over.rule, limitRule(limit));
    assert.ok(over.rule.includes(String(limit.max)), over.rule);
  }
});

test('the rows read labs/aws-limits.ts', () => {
  assert.is(limitOf('kafkaEsm.batchSize').max, KAFKA_MAX_BATCH_SIZE);
  assert.is(limitOf('processor.memoryMb').max, MAX_MEMORY_MB);
  assert.is(limitOf('sqsBuffer.provisionedPollers.maximum').max, SQS_MAX_POLLERS_LIMIT);
});

test("a limit changed in its row changes the validator's check and its message together", () => {
  const lowered = SPEC_LIMITS.map((l) => (l.path === 'kafkaEsm.batchSize' ? { ...l, max: 500 } : l));
  const spec = withValue(baseFor('kafkaEsm.batchSize'), 'kafkaEsm.batchSize', 600);
  assert.equal(problems(spec), [], 'AWS allows 600');
  const [refusal] = problems(spec, lowered);
  assert.is(refusal.path, 'kafkaEsm.batchSize');
  assert.is(refusal.allowed, 'a whole number from 1 to 500');
  assert.match(refusal.rule, /^Kafka ESM BatchSize is 1\.\.500 \(https:\/\/docs\.aws\.amazon\.com\/lambda\/latest\/dg\/msk-esm-parameters\.html\)$/);
  const raisedPollers = SPEC_LIMITS.map((l) => (l.path === 'kafkaEsm.provisionedPollers.maximum' ? { ...l, max: 3000 } : l));
  const pollers = withValue(baseFor('kafkaEsm.provisionedPollers.maximum'), 'kafkaEsm.provisionedPollers.maximum', 2500);
  assert.is(problems(pollers)[0]?.path, 'kafkaEsm.provisionedPollers.maximum');
  assert.equal(problems(pollers, raisedPollers), []);
});

test('the filter rows bound the list and each pattern, and say so', () => {
  const count = limitOf('kafkaEsm.filters');
  const tooMany = Array.from({ length: count.max + 1 }, () => ({ value: { status: ['CONFIRMED'] } }));
  const many = problems(withValue(baseFor('kafkaEsm.filters'), 'kafkaEsm.filters', tooMany)).find((p) => p.path === 'kafkaEsm.filters');
  assert.is(many?.allowed, `at most ${count.max} patterns`);
  const size = limitOf('kafkaEsm.filters[]');
  const long = { value: { status: ['x'.repeat(size.max)] } };
  const big = problems(withValue(baseFor('kafkaEsm.filters'), 'kafkaEsm.filters', [long])).find((p) => p.path === 'kafkaEsm.filters[0]');
  assert.is(big?.allowed, `at most ${size.max} characters`);
  assert.is(big?.rule, limitRule(size));
});

test('the consumer group id is bounded by its row', () => {
  const { max } = limitOf('kafkaEsm.consumerGroupId');
  assert.equal(problems(withValue(baseFor('x'), 'kafkaEsm.consumerGroupId', 'g'.repeat(max))), []);
  const over = problems(withValue(baseFor('x'), 'kafkaEsm.consumerGroupId', 'g'.repeat(max + 1)));
  assert.is(over[0]?.path, 'kafkaEsm.consumerGroupId');
  assert.ok(over[0]?.allowed.startsWith(`1..${max} characters`));
});

test("a limit edited in labs/aws-limits.ts reaches the validator's check and message (a copy of labs/ with the limit changed)", () => {
  const root = new URL('../..', import.meta.url).pathname;
  const dir = mkdtempSync(join(tmpdir(), 'aws-limits-'));
  try {
    for (const folder of ['labs', 'handlers']) cpSync(join(root, folder), join(dir, folder), { recursive: true, filter: (f) => !f.includes('node_modules') });
    const limitsFile = join(dir, 'labs/aws-limits.ts');
    const edited = readFileSync(limitsFile, 'utf8').replace(/export const MAX_MEMORY_MB = \d+;/, 'export const MAX_MEMORY_MB = 3008;');
    assert.ok(edited.includes('MAX_MEMORY_MB = 3008;'), 'the constant is where the test expects it');
    writeFileSync(limitsFile, edited);
    const probe = join(dir, 'probe.ts');
    writeFileSync(
      probe,
      `import { LABS } from './labs/index.ts';
import { validateLabSpec } from './labs/lab-spec.ts';
const lab = structuredClone(LABS[0]);
lab.processor.memoryMb = 4096;
try { validateLabSpec(lab); console.log('accepted'); } catch (error) { console.log((error as Error).message); }
`,
    );
    const run = spawnSync(join(root, 'node_modules/.bin/tsx'), [probe], { encoding: 'utf8', cwd: dir });
    assert.is(run.status, 0, run.stderr);
    assert.match(run.stdout, /processor\.memoryMb = 4096: allowed a whole number from 128 to 3008\. Rule: Lambda memory is 128\.\.3008 MB/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
