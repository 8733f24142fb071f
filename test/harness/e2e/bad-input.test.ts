// Bad input exits 2 with one line and no stack trace.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { refused, STACK_FRAME, workshop } from './support.ts';

test('an unknown lab', async () => {
  await refused(['run', '7'], /Unknown lab "7": use 1 \(01-baseline\)/);
});

test('an unknown --set path', async () => {
  await refused(['run', '1', '--set', 'kafkaEsm.batchsize=10'], /Unknown --set path "kafkaEsm.batchsize". Did you mean kafkaEsm.batchSize\?/);
});

test('a misspelt key in a --set value is refused for `run all` before any lab runs', async () => {
  const run = await refused(['run', 'all', '--set', 'kafkaEsm.provisionedPollers={"minimum":1,"maximun":1}'], /kafkaEsm\.provisionedPollers\.maximun is not a LabSpec key: did you mean kafkaEsm\.provisionedPollers\.maximum\?/);
  assert.is(run.stdout.trim(), '', 'no lab started');
});

test('an out-of-range value', async () => {
  await refused(['run', '1', '--set', 'kafkaEsm.batchingWindowSeconds=301'], /kafkaEsm.batchingWindowSeconds = 301: allowed a whole number from 0 to 300/);
});

test('--target aws without deployed outputs: its one line, and no progress line before it', async () => {
  const run = await refused(['run', '1', '--target', 'aws'], /Nothing is deployed to AWS/);
  assert.equal(run.stderr.trim().split('\n').filter((l) => l.trim() !== ''), [run.stderr.trim()], 'one line');
  assert.not.match(run.stderr, 'preparing');
  assert.is(run.stdout.trim(), '');
});

test('an environment problem (a broker that does not answer) exits 3 with one line, no stack trace', async () => {
  const run = await workshop(['run', '1', '--quick'], { KAFKA_BROKERS: '127.0.0.1:1' });
  assert.is(run.code, 3, `exit ${run.code}\n${run.stderr}`);
  assert.not.match(run.stderr, STACK_FRAME, 'no stack trace');
  const last = run.stderr.trim().split('\n').at(-1)!;
  assert.match(last, 'KAFKA_BROKERS=127.0.0.1:1 did not answer an admin request within');
});

test('an unknown --target and a bad number', async () => {
  await refused(['run', '1', '--target', 'azure'], /use local or aws/);
  await refused(['run', '1', '--duration', 'ten'], /--duration ten is not valid/);
});

test('no command prints the usage and exits 2', async () => {
  const run = await workshop([]);
  assert.is(run.code, 2);
  assert.match(run.stdout, 'workshop run <lab|all>');
});

test.run();
