// Where the stacks keep their state: local files by default, one S3 bucket when
// WORKSHOP_STATE_BUCKET names one (a hosted event), and the lab stacks read the base from the same
// place the base writes it, in both.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LABS } from '../../labs/index.ts';
import { STATE_BUCKET_VARIABLE, stateBackendFromEnv, stateKey } from '../../labs/stack-contract.ts';
import { buildWorkshopApp } from '../../labs/stacks.ts';
import { Testing } from '../../modules/cdk-terrain.ts';
import type { TfJson } from './synth-once.ts';

const dir = mkdtempSync(join(tmpdir(), 'klw-backend-'));
const synth = (stack: Parameters<typeof Testing.synth>[0]) => JSON.parse(Testing.synth(stack)) as TfJson;

test('WORKSHOP_STATE_BUCKET chooses the S3 backend; unset or blank, local files', () => {
  assert.equal(stateBackendFromEnv('/s', 'eu-west-1', { [STATE_BUCKET_VARIABLE]: 'klw-state-123' }), {
    kind: 's3',
    bucket: 'klw-state-123',
    region: 'eu-west-1',
  });
  assert.equal(stateBackendFromEnv('/s', 'eu-west-1', {}), { kind: 'local', dir: '/s' });
  assert.equal(stateBackendFromEnv('/s', 'eu-west-1', { [STATE_BUCKET_VARIABLE]: '  ' }), { kind: 'local', dir: '/s' });
});

test('with the S3 backend every stack keeps its state in the bucket, and each lab reads the base from the key the base writes', () => {
  const workshop = buildWorkshopApp({
    labs: LABS,
    outdir: join(dir, 's3-out'),
    region: 'eu-west-1',
    state: { kind: 's3', bucket: 'klw-state-123', region: 'eu-west-1' },
  });
  const base = synth(workshop.base);
  assert.equal(base.terraform!.backend, { s3: { bucket: 'klw-state-123', key: stateKey('base'), region: 'eu-west-1', encrypt: true } });
  const keys = new Set([stateKey('base')]);
  for (const stack of workshop.labs) {
    const tf = synth(stack);
    const backend = tf.terraform!.backend.s3;
    assert.is(backend.bucket, 'klw-state-123');
    keys.add(backend.key);
    const remote = Object.values(tf.data!.terraform_remote_state);
    assert.is(remote.length, 1);
    assert.is(remote[0].backend, 's3');
    assert.equal(remote[0].config, { bucket: 'klw-state-123', key: base.terraform!.backend.s3.key, region: 'eu-west-1' });
  }
  assert.is(keys.size, workshop.labs.length + 1, 'no two stacks share a state object');
});

test('the environment variable reaches the app when no backend is passed, and local files stay the default', () => {
  const before = process.env[STATE_BUCKET_VARIABLE];
  try {
    process.env[STATE_BUCKET_VARIABLE] = 'klw-state-env';
    const fromEnv = buildWorkshopApp({ labs: LABS, outdir: join(dir, 'env-out'), stateDir: join(dir, 'state'), region: 'us-east-1' });
    assert.is(synth(fromEnv.labs[0]).terraform!.backend.s3.bucket, 'klw-state-env');
    delete process.env[STATE_BUCKET_VARIABLE];
    const local = buildWorkshopApp({ labs: LABS, outdir: join(dir, 'local-out'), stateDir: join(dir, 'state'), region: 'us-east-1' });
    assert.equal(synth(local.base).terraform!.backend, { local: { path: join(dir, 'state', 'terraform.base.tfstate') } });
    assert.is(Object.values(synth(local.labs[0]).data!.terraform_remote_state)[0].backend, 'local');
  } finally {
    if (before === undefined) delete process.env[STATE_BUCKET_VARIABLE];
    else process.env[STATE_BUCKET_VARIABLE] = before;
  }
});

test.run();
