// The deploy region follows the learner's AWS configuration: AWS_REGION, then the AWS_PROFILE's
// region in ~/.aws/config (it used to be ignored, so `aws configure` users deployed to us-east-1),
// then AWS_DEFAULT_REGION, then us-east-1.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { resolveRegion } from '../../labs/region.ts';
import { withEnv } from '../handlers/support/env.ts';

const dir = mkdtempSync(join(tmpdir(), 'klw-region-'));
let files = 0;
function awsConfig(text: string): string {
  const file = join(dir, `config-${++files}`);
  writeFileSync(file, text);
  return file;
}
const none = { AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined, AWS_PROFILE: undefined, AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials') };

test("the profile's region, from ~/.aws/config, when AWS_REGION is not set", async () => {
  const config = awsConfig('[default]\nregion = ap-southeast-2\n\n[profile workshop]\nregion = eu-central-1\n');
  assert.is(await withEnv({ ...none, AWS_CONFIG_FILE: config, AWS_PROFILE: 'workshop' }, () => resolveRegion()), 'eu-central-1');
  assert.is(await withEnv({ ...none, AWS_CONFIG_FILE: config }, () => resolveRegion()), 'ap-southeast-2', 'the default profile');
});

test('AWS_REGION wins over the profile', async () => {
  const config = awsConfig('[profile workshop]\nregion = eu-central-1\n');
  assert.is(await withEnv({ ...none, AWS_CONFIG_FILE: config, AWS_PROFILE: 'workshop', AWS_REGION: 'us-west-2' }, () => resolveRegion()), 'us-west-2');
});

test('no region anywhere: AWS_DEFAULT_REGION, then us-east-1', async () => {
  const config = awsConfig('[profile workshop]\noutput = json\n');
  assert.is(
    await withEnv({ ...none, AWS_CONFIG_FILE: config, AWS_PROFILE: 'workshop', AWS_DEFAULT_REGION: 'eu-north-1' }, () => resolveRegion()),
    'eu-north-1',
  );
  assert.is(await withEnv({ ...none, AWS_CONFIG_FILE: join(dir, 'missing') }, () => resolveRegion()), 'us-east-1');
});

test.run();
