// The README's non-run commands, run as a participant types them.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LABS } from '../../../labs/index.ts';
import { workshop } from './support.ts';

// Its own cache root, so this test's sandbox state never meets a participant's.
const env = { WORKSHOP_SANDBOX_STATE_DIR: mkdtempSync(join(tmpdir(), 'klw-cli-')) };

test.after(async () => {
  await workshop(['sandbox', 'down'], env);
});

test('workshop models prints every lab with its bottleneck', async () => {
  const run = await workshop(['models']);
  assert.is(run.code, 0);
  for (const lab of LABS) assert.match(run.stdout, lab.id);
  assert.match(run.stdout, 'bottleneck');
});

test('workshop paths lists what --set accepts', async () => {
  const run = await workshop(['paths']);
  assert.is(run.code, 0);
  assert.match(run.stdout, 'kafkaEsm.batchingWindowSeconds');
  assert.match(run.stdout, 'sqsBuffer.maximumConcurrency');
});

test('a usage error is one line saying what was wrong and where the usage is, exit 2', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['run', '1', '--rate', '-5'], /--rate -5 is ambiguous: a value starting with a dash is written --rate=-5/],
    [['run', '1', '--rat', '5'], /unknown option --rat \(did you mean --rate\?\)/],
    [['run', '1', '--quick=1'], /--quick takes no value/],
    [['chek', '1'], /Unknown command "chek" \(did you mean check\?\)/],
    [['check', '1', '--hnt'], /workshop check: unknown option --hnt \(did you mean --hint\?\)/],
    [['sandbox', 'up', '--lab'], /workshop sandbox: --lab needs a value/],
  ];
  for (const [args, expected] of cases) {
    const run = await workshop(args, env);
    assert.is(run.code, 2, args.join(' '));
    assert.is(run.stdout, '', args.join(' '));
    const lines = run.stderr.trim().split('\n');
    assert.is(lines.length, 1, `${args.join(' ')}:\n${run.stderr}`);
    assert.match(lines[0], expected);
    assert.ok(lines[0].endsWith('See `npx workshop --help` for the usage.'), lines[0]);
  }
});

test('workshop sandbox up, a second up reuses it, status, down', async () => {
  const up = await workshop(['sandbox', 'up'], env);
  assert.is(up.code, 0, up.stderr);
  const brokers = /KAFKA_BROKERS=(127\.0\.0\.1:\d+)/.exec(up.stdout)?.[1];
  assert.ok(brokers, up.stdout);
  const again = await workshop(['sandbox', 'up'], env);
  assert.match(again.stdout, 'Already running; reusing it.');
  assert.match(again.stdout, brokers!);
  const status = await workshop(['sandbox', 'status'], env);
  assert.match(status.stdout, `KAFKA_BROKERS=${brokers}`);
  const down = await workshop(['sandbox', 'down'], env);
  assert.is(down.code, 0);
  assert.match(down.stdout, 'Sandbox stopped.');
  assert.match((await workshop(['sandbox', 'status'], env)).stdout, 'No sandbox is running.');
});

test.run();
