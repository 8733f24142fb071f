// Bad input exits 2 with one line and no stack trace.

import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { REPO_ROOT } from '../../../labs/stack-contract.ts';
import { refused, STACK_FRAME, workshop } from './support.ts';

test('an unknown lab', async () => {
  await refused(['run', '7'], /Unknown lab "7": use 1 \(01-baseline\)/);
});

test('an unknown --set path', async () => {
  await refused(['run', '1', '--set', 'kafkaEsm.batchsize=10'], /Unknown --set path "kafkaEsm.batchsize". Did you mean kafkaEsm.batchSize\?/);
});

test('a misspelt key in a --set value is refused for `run all` before any lab runs', async () => {
  const run = await refused(
    ['run', 'all', '--set', 'kafkaEsm.provisionedPollers={"minimum":1,"maximun":1}'],
    /kafkaEsm\.provisionedPollers\.maximun is not a LabSpec key: did you mean kafkaEsm\.provisionedPollers\.maximum\?/,
  );
  assert.is(run.stdout.trim(), '', 'no lab started');
});

test("a misspelt key in a shipped lab's spec.ts is named at its file:line with the key meant, before any server starts", async () => {
  // A copy of the project, node_modules linked, so the repository's own spec stays as it is.
  const copy = mkdtempSync(join(tmpdir(), 'klw-shipped-typo-'));
  try {
    for (const entry of ['bin', 'harness', 'labs', 'handlers', 'sandbox', 'modules', 'package.json', 'tsconfig.json'])
      cpSync(join(REPO_ROOT, entry), join(copy, entry), { recursive: true });
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(copy, 'node_modules'));
    const spec = join(copy, 'labs', '02-low-latency', 'spec.ts');
    const text = readFileSync(spec, 'utf8');
    writeFileSync(spec, text.replace('batchingWindowSeconds: 0,', 'batchingWindowSecond: 0,'));
    const line = text.split('\n').findIndex((l) => l.includes('batchingWindowSeconds: 0,')) + 1;
    const started = Date.now();
    const run = await workshop(['run', 'all', '--quick'], {}, copy, join(copy, 'bin', 'workshop.js'));
    const seconds = (Date.now() - started) / 1000;
    assert.is(run.code, 2, `exit ${run.code}\n${run.stdout}\n${run.stderr}`);
    assert.match(
      run.stderr,
      `labs/02-low-latency/spec.ts:${line}:5: kafkaEsm.batchingWindowSecond is not a LabSpec key: did you mean kafkaEsm.batchingWindowSeconds?`,
    );
    assert.not.match(run.stderr, STACK_FRAME);
    assert.is(run.stdout.trim(), '', 'no lab started, not even lab 1');
    console.log(`[measured] a misspelt key in labs/02-low-latency/spec.ts was named by \`workshop run all\` in ${seconds.toFixed(1)} s`);
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
});

test('an out-of-range value', async () => {
  await refused(['run', '1', '--set', 'kafkaEsm.batchingWindowSeconds=301'], /kafkaEsm.batchingWindowSeconds = 301: allowed a whole number from 0 to 300/);
});

test('--target aws without deployed outputs: its one line, and no progress line before it', async () => {
  const run = await refused(['run', '1', '--target', 'aws'], /Nothing is deployed to AWS/);
  assert.equal(
    run.stderr
      .trim()
      .split('\n')
      .filter((l) => l.trim() !== ''),
    [run.stderr.trim()],
    'one line',
  );
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
