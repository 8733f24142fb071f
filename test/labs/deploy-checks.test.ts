// What `npm run deploy` asks AWS before and after applying a lab (Lambda client mocked with
// aws-sdk-client-mock): the account's concurrency against the lab's pipeline, and each mapping
// watched after apply until AWS reports OK, a PROBLEM being a DeployError with AWS's message.

import { GetAccountSettingsCommand, GetEventSourceMappingCommand, LambdaClient, UpdateEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { concurrencyNeeded, concurrencyProblem } from '../../labs/account-concurrency.ts';
import { applyPostApplySettings, awaitMappingsWorking, checkAccountConcurrency } from '../../labs/deploy/aws-checks.ts';
import { DeployError } from '../../labs/deploy/deploy-error.ts';
import { postApplySettings } from '../../labs/deploy/plan.ts';
import { LABS } from '../../labs/index.ts';
import { ESM_SETTLE_MINUTES, ESM_TIMEOUTS } from '../../modules/esm-settle.ts';

const lambda = mockClient(LambdaClient);
const [lab1, , lab3] = LABS;
const quiet = async <T>(fn: () => Promise<T>) => {
  const log = console.log;
  console.log = () => {};
  try {
    return await fn();
  } finally {
    console.log = log;
  }
};
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

test('lab 3 needs its Kafka stage, its SQS stage and the producer at once', () => {
  assert.equal(concurrencyNeeded(lab3).total, 12 + 40 + 1);
});

test('a new account (limit 10) cannot run lab 3: deploy says so before applying, with the quota to raise', async () => {
  lambda.reset();
  lambda.on(GetAccountSettingsCommand).resolves({ AccountLimit: { ConcurrentExecutions: 10, UnreservedConcurrentExecutions: 10 } });
  const error = await rejection(checkAccountConcurrency(lab3, 'eu-west-1', lambda as unknown as LambdaClient));
  assert.instance(error, DeployError);
  assert.match(
    error.message,
    /^Lab 03-sqs-buffer can run up to 53 Lambda invocations at once \(Kafka ESM 12 .* \+ SQS ESM 40 \(MaximumConcurrency 40\) \+ producer 1\), but this account's concurrency limit is 10: the run would be throttled\. .*Service Quotas/,
  );
  lambda.reset();
  lambda.on(GetAccountSettingsCommand).resolves({ AccountLimit: { ConcurrentExecutions: 1000, UnreservedConcurrentExecutions: 1000 } });
  await checkAccountConcurrency(lab3, 'eu-west-1', lambda as unknown as LambdaClient);
});

test('reserved concurrency that would leave fewer than 100 unreserved is refused before AWS refuses it', () => {
  const reserving = { ...lab1, processor: { ...lab1.processor, reservedConcurrency: 50 } };
  assert.match(concurrencyProblem(reserving, { limit: 120, unreserved: 120 })!, /reserves 50 .* 120 unreserved of 120 and AWS keeps at least 100 unreserved/);
  assert.is(concurrencyProblem(reserving, { limit: 1000, unreserved: 1000 }), undefined);
});

const clock = () => {
  let now = 0;
  return { now: () => now, sleep: async (ms: number) => void (now += ms) };
};

test("after apply: a mapping that turns Enabled with a PROBLEM fails the deploy with AWS's message", async () => {
  lambda.reset();
  const states = [
    { State: 'Creating' },
    { State: 'Enabled', LastProcessingResult: 'No records processed' },
    {
      State: 'Enabled',
      LastProcessingResult:
        'PROBLEM: Connection error. Your event source VPC must be able to connect to Lambda and STS, Secrets Manager (if event source authentication is required), and the OnFailure Destination (if one is configured).',
    },
  ];
  let call = 0;
  lambda.on(GetEventSourceMappingCommand).callsFake(() => ({ UUID: 'u-1', ...states[Math.min(call++, states.length - 1)] }));
  const error = await rejection(
    quiet(() =>
      awaitMappingsWorking('eu-west-1', [{ uuid: 'u-1', what: 'Kafka event source mapping' }], '01-baseline', {
        client: lambda as unknown as LambdaClient,
        clock: clock(),
      }),
    ),
  );
  assert.instance(error, DeployError);
  assert.match(
    error.message,
    /^The Kafka event source mapping u-1 is Enabled but reports "PROBLEM: Connection error\..*interface endpoints for Lambda and STS.*nothing was rolled back/,
  );
});

test("after apply: a mapping still Creating when Terraform's ESM timeouts would have given up fails the deploy", async () => {
  lambda.reset();
  lambda.on(GetEventSourceMappingCommand).resolves({ UUID: 'u-9', State: 'Creating' });
  const c = clock();
  const error = await rejection(
    quiet(() =>
      awaitMappingsWorking('eu-west-1', [{ uuid: 'u-9', what: 'Kafka event source mapping' }], '01-baseline', {
        client: lambda as unknown as LambdaClient,
        clock: c,
      }),
    ),
  );
  assert.instance(error, DeployError);
  assert.match(error.message, `ESM u-9 is still Creating after ${ESM_SETTLE_MINUTES} minutes`);
  // One wait, one home: the deploy gives up when the provider's create timeout would.
  const waitedMinutes = c.now() / 60_000;
  assert.ok(waitedMinutes > ESM_SETTLE_MINUTES && waitedMinutes <= ESM_SETTLE_MINUTES + 1, `gave up after ${waitedMinutes} minutes`);
  assert.equal(ESM_TIMEOUTS, { create: `${ESM_SETTLE_MINUTES}m`, update: `${ESM_SETTLE_MINUTES}m`, delete: `${ESM_SETTLE_MINUTES}m` });
});

test('after apply: OK ends the watch; a quiet mapping is trusted after the watch', async () => {
  lambda.reset();
  let call = 0;
  lambda
    .on(GetEventSourceMappingCommand)
    .callsFake(() => ({ UUID: 'u-2', State: 'Enabled', LastProcessingResult: ++call > 2 ? 'OK' : 'No records processed' }));
  const c = clock();
  await quiet(() =>
    awaitMappingsWorking('eu-west-1', [{ uuid: 'u-2', what: 'Kafka event source mapping' }], '01-baseline', {
      client: lambda as unknown as LambdaClient,
      clock: c,
    }),
  );
  assert.is(c.now(), 20_000, 'stopped watching at OK');
  lambda.reset();
  lambda.on(GetEventSourceMappingCommand).resolves({ UUID: 'u-3', State: 'Enabled', LastProcessingResult: 'No records processed' });
  const quietClock = clock();
  await quiet(() =>
    awaitMappingsWorking('eu-west-1', [{ uuid: 'u-3', what: 'SQS event source mapping' }], '03-sqs-buffer', {
      client: lambda as unknown as LambdaClient,
      clock: quietClock,
      watchMs: 60_000,
    }),
  );
  assert.is(quietClock.now(), 60_000);
});

test("after apply, lab 4's 0 s window and LoggingConfig go in one UpdateEventSourceMapping, once the mapping has settled", async () => {
  lambda.reset();
  lambda.on(GetEventSourceMappingCommand).resolves({ UUID: 'u-4', State: 'Enabled' });
  lambda.on(UpdateEventSourceMappingCommand).resolves({ UUID: 'u-4' });
  await quiet(() => applyPostApplySettings('eu-west-1', 'u-4', postApplySettings(LABS[3])!, lambda as unknown as LambdaClient));
  const updates = lambda.commandCalls(UpdateEventSourceMappingCommand).map((c) => c.args[0].input);
  assert.equal(updates, [{ UUID: 'u-4', MaximumBatchingWindowInSeconds: 0, LoggingConfig: { SystemLogLevel: 'INFO' } }]);
});

test.run();
