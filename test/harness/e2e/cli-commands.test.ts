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
