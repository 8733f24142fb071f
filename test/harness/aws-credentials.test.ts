// Credentials, region and permission errors as one UsageError line; the last test runs the real
// SDK credential chain (no mock) with every source emptied, and the endpoint on a closed loopback
// port, so nothing can leave the machine even if a credential were found.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UsageError } from '../../harness/errors.ts';
import { AwsTarget } from '../../harness/targets/aws.ts';
import { credentialsUsageError, explainAwsErrors } from '../../harness/targets/aws-credentials.ts';
import { LABS } from '../../labs/index.ts';
import { withEnv } from '../handlers/support/env.ts';
import { awsError, deployedOutputsFor } from './support/aws-fixtures.ts';

test('each kind of credentials problem is one line with its fix', () => {
  const cases: Array<[Error, RegExp]> = [
    [
      awsError('CredentialsProviderError', 'Could not load credentials from any providers'),
      /^No AWS credentials found for X: set AWS_PROFILE .*AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY .*AWS_REGION, then run again\.$/,
    ],
    [awsError('ExpiredTokenException', 'The security token included in the request is expired'), /^The AWS credentials have expired \(X\): refresh them/],
    [
      awsError('UnrecognizedClientException', 'The security token included in the request is invalid.'),
      /^AWS rejected the credentials \(UnrecognizedClientException\) for X/,
    ],
    [new Error('Region is missing'), /^No AWS region for X: set AWS_REGION/],
    [
      awsError('AccessDeniedException', 'User: arn:aws:iam::1:user/u is not authorized to perform: lambda:GetEventSourceMapping\nmore'),
      /^Your AWS identity may not do X \(User: .*GetEventSourceMapping\): use a profile/,
    ],
  ];
  for (const [error, expected] of cases) {
    const usage = credentialsUsageError(error, 'X');
    assert.instance(usage, UsageError, error.name);
    assert.not.ok(usage!.message.includes('\n'), `${error.name}: one line`);
    assert.match(usage!.message, expected);
  }
  assert.is(credentialsUsageError(awsError('ServiceException', 'boom'), 'X'), undefined);
});

test('explainAwsErrors passes other errors through unchanged', async () => {
  const boom = awsError('ServiceException', 'boom');
  try {
    await explainAwsErrors('X', async () => {
      throw boom;
    });
    assert.unreachable();
  } catch (error) {
    assert.is(error, boom);
  }
  assert.is(await explainAwsErrors('X', async () => 7), 7);
});

test('the real SDK without any credentials: prepare fails with one clear line', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'no-aws-'));
  try {
    await withEnv(
      {
        AWS_ACCESS_KEY_ID: undefined,
        AWS_SECRET_ACCESS_KEY: undefined,
        AWS_SESSION_TOKEN: undefined,
        AWS_PROFILE: undefined,
        AWS_DEFAULT_PROFILE: undefined,
        AWS_ROLE_ARN: undefined,
        AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
        AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
        AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
        AWS_SHARED_CREDENTIALS_FILE: join(empty, 'credentials'),
        AWS_CONFIG_FILE: join(empty, 'config'),
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
        AWS_MAX_ATTEMPTS: '1',
      },
      async () => {
        const target = new AwsTarget({ outputs: deployedOutputsFor(LABS[0]) });
        try {
          await target.prepare(LABS[0]);
          assert.unreachable('expected a UsageError');
        } catch (error) {
          assert.instance(error, UsageError);
          const message = (error as Error).message;
          assert.not.ok(message.includes('\n'), 'one line');
          assert.match(message, /^No AWS credentials found/);
        } finally {
          await target.close();
        }
      },
    );
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});

test.run();
