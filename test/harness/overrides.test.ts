import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UsageError } from '../../harness/errors.ts';
import { applyOverrides, overrideCaveats, parseOverride, SETTABLE_PATHS, unsetsKafkaWindow } from '../../harness/overrides.ts';
import { runLab } from '../../harness/run-lab.ts';
import type { LabTarget } from '../../harness/targets/target.ts';
import { LABS } from '../../labs/index.ts';

const [lab1, lab2, lab3] = LABS;

function usageMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.instance(error, UsageError);
    return (error as Error).message;
  }
  assert.unreachable('expected a UsageError');
  return '';
}

test('numbers, booleans, JSON and plain strings', () => {
  assert.equal(parseOverride('kafkaEsm.batchSize=10').value, 10);
  assert.equal(parseOverride('kafkaEsm.bisectBatchOnFunctionError=true').value, true);
  assert.equal(parseOverride('kafkaEsm.provisionedPollers={"minimum":1,"maximum":3}').value, { minimum: 1, maximum: 3 });
  assert.equal(parseOverride('processor.mode=parallel-by-key').value, 'parallel-by-key');
  assert.is(parseOverride('kafkaEsm.batchingWindowSeconds=unset').value, undefined);
});

test('a what-if changes only the field it names, and is validated', () => {
  const spec = applyOverrides(lab1, [parseOverride('kafkaEsm.batchSize=10'), parseOverride('traffic.ratePerSec=20')]);
  assert.is(spec.kafkaEsm.batchSize, 10);
  assert.is(spec.traffic.ratePerSec, 20);
  assert.is(lab1.kafkaEsm.batchSize, 100, 'the lab itself is untouched');
  const windowed = applyOverrides(lab1, [parseOverride('kafkaEsm.batchingWindowSeconds=1')]);
  assert.is(windowed.kafkaEsm.batchingWindowSeconds, 1);
  const unset = applyOverrides(windowed, [parseOverride('kafkaEsm.batchingWindowSeconds=unset')]);
  assert.not.ok('batchingWindowSeconds' in unset.kafkaEsm);
});

test('lab 3 without its buffer is lab 1 at lab 3 traffic', () => {
  const spec = applyOverrides(lab3, [parseOverride('sqsBuffer=unset')]);
  assert.is(spec.sqsBuffer, undefined);
});

test('an out-of-range value names the field, the range and the rule', () => {
  const message = usageMessage(() => applyOverrides(lab1, [parseOverride('kafkaEsm.batchingWindowSeconds=301')]));
  assert.match(message, 'kafkaEsm.batchingWindowSeconds = 301');
  assert.match(message, '0 to 300');
  assert.not.match(message, '\n    at ');
});

test('an unknown path is refused with a suggestion', () => {
  const message = usageMessage(() => parseOverride('kafkaEsm.batchsize=10'));
  assert.match(message, 'Unknown --set path "kafkaEsm.batchsize"');
  assert.match(message, 'Did you mean kafkaEsm.batchSize?');
  assert.match(
    usageMessage(() => parseOverride('nonsense=1')),
    'Unknown --set path',
  );
});

test('a misspelt key inside a JSON value is refused with the nearest valid one', () => {
  const message = usageMessage(() => applyOverrides(lab2, [parseOverride('kafkaEsm.provisionedPollers={"minimum":2,"maximun":2}')]));
  assert.match(message, 'With --set kafkaEsm.provisionedPollers={"minimum":2,"maximun":2}');
  assert.match(message, 'kafkaEsm.provisionedPollers.maximun is not a LabSpec key: did you mean kafkaEsm.provisionedPollers.maximum?');
});

test('malformed and empty values are refused', () => {
  assert.match(
    usageMessage(() => parseOverride('kafkaEsm.batchSize')),
    'path=value',
  );
  assert.match(
    usageMessage(() => parseOverride('kafkaEsm.batchSize=')),
    'has no value',
  );
});

test('every settable path exists in some lab or is an optional field', () => {
  assert.ok(SETTABLE_PATHS.length > 50);
  assert.equal(SETTABLE_PATHS.length, new Set(SETTABLE_PATHS).size);
});

test("unsetting a batching window the lab sets: a note locally, a refusal on AWS, both with AWS's reason", async () => {
  const unset = [parseOverride('kafkaEsm.batchingWindowSeconds=unset')];
  assert.ok(unsetsKafkaWindow(lab2, unset), 'lab 2 sets a window of 0');
  assert.not.ok(unsetsKafkaWindow(lab1, unset), 'lab 1 never set one: nothing to revert');
  assert.not.ok(unsetsKafkaWindow(lab2, [...unset, parseOverride('kafkaEsm.batchingWindowSeconds=1')]), 'the last --set wins');
  const [note] = overrideCaveats(lab2, unset);
  assert.match(note, 'cannot go back to the 500 ms default once it has been set: the mapping must be deleted and created again');
  assert.equal(overrideCaveats(lab1, unset), []);
  let prepared = false;
  const aws: LabTarget = {
    place: 'aws',
    prepare: async () => {
      prepared = true;
      throw new Error('not reached');
    },
    close: async () => undefined,
  } as unknown as LabTarget;
  const error = await runLab(lab2, aws, { overrides: unset }).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.instance(error, UsageError);
  assert.match((error as Error).message, '--set kafkaEsm.batchingWindowSeconds=unset cannot run on AWS: on AWS a Kafka mapping');
  assert.match((error as Error).message, 'npm run deploy -- 01-baseline');
  assert.not.ok(prepared, 'refused before touching AWS');
});

test.run();
