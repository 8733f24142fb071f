// `workshop check <lab> --target aws`: the learner's exercise checked on AWS after
// `npm run deploy -- <lab> --from exercises/<lab>`. Only a deployment of this exercise is checked
// (the deploy's record says where the lab came from), and the AWS target's pre-run checks compare
// the deployed mapping with the learner's spec, not the lab's; `workshop run --target aws` on a
// deployed exercise says so. AWS is aws-sdk-client-mock.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { GetEventSourceMappingCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UsageError } from '../../harness/errors.ts';
import { checkExercise, requireDeployedExercise } from '../../harness/exercise/check.ts';
import { checkPlace } from '../../harness/exercise/commands.ts';
import { labFolder, writeExercise } from '../../harness/exercise/workspace.ts';
import { AwsTarget } from '../../harness/targets/aws.ts';
import { LABS } from '../../labs/index.ts';
import type { LabSpec } from '../../labs/lab-spec.ts';
import { type DeployedOutputs, REPO_ROOT } from '../../labs/stack-contract.ts';
import { deployedKafkaEsm, deployedOutputsFor, KAFKA_ESM_UUID } from './support/aws-fixtures.ts';

const lowLatency = LABS[1];
const learnerLab: LabSpec = { ...lowLatency, kafkaEsm: { ...lowLatency.kafkaEsm, batchSize: 25 } };
const lambda = mockClient(LambdaClient);

/** An exercises folder whose lab 2 is the solution with batches of 25. */
function exercises(): string {
  const dir = mkdtempSync(join(tmpdir(), 'klw-aws-check-'));
  writeExercise(lowLatency, 'solution', dir);
  const spec = join(labFolder(lowLatency, dir), 'spec.ts');
  writeFileSync(spec, readFileSync(spec, 'utf8').replace('const RECORDS_PER_BATCH = 10;', 'const RECORDS_PER_BATCH = 25;'));
  return dir;
}

function deployedFrom(from: string | undefined): DeployedOutputs {
  const outputs = deployedOutputsFor(learnerLab);
  return { ...outputs, lab: { ...outputs.lab!, ...(from === undefined ? {} : { from }) } };
}

test('--target takes local or aws; --time-scale is the local clock only', () => {
  assert.is(checkPlace('local', undefined), 'local');
  assert.is(checkPlace('aws', undefined), 'aws');
  assert.throws(() => checkPlace('cloud', undefined), /--target cloud is not a place a lab runs: use local or aws/);
  assert.throws(() => checkPlace('aws', '10'), /on AWS the lab runs in real time/);
});

test('only a deployment of this exercise is checked on AWS; otherwise the deploy command that makes it one', () => {
  const dir = exercises();
  const folder = labFolder(lowLatency, dir);
  const deploy = /npm run deploy -- 2 --from .*02-low-latency/;
  assert.throws(
    () => requireDeployedExercise(lowLatency, dir, undefined),
    (e: Error) => e instanceof UsageError && /nothing is/.test(e.message) && deploy.test(e.message),
  );
  assert.throws(() => requireDeployedExercise(lowLatency, dir, deployedOutputsFor(LABS[0])), /lab 01-baseline is/);
  assert.throws(
    () => requireDeployedExercise(lowLatency, dir, deployedFrom(undefined)),
    /was deployed from labs\/02-low-latency\/spec\.ts, not from your exercise/,
  );
  assert.throws(
    () => requireDeployedExercise(lowLatency, dir, deployedFrom('exercises/02-low-latency')),
    /was deployed from exercises\/02-low-latency, not from your exercise/,
  );
  // The record keeps the folder relative to the repository, or absolute outside it.
  requireDeployedExercise(lowLatency, dir, deployedFrom(relative(REPO_ROOT, folder)));
  requireDeployedExercise(lowLatency, dir, deployedFrom(folder));
});

test("the check refuses a deployment that is not the exercise before it reads the learner's files", async () => {
  lambda.reset();
  const dir = exercises();
  try {
    await checkExercise(lowLatency, { dir, place: 'aws', aws: { outputs: deployedFrom(undefined), readiness: false } });
    assert.unreachable('checked a deployment of the lab spec');
  } catch (error) {
    assert.instance(error, UsageError);
    assert.match((error as Error).message, /not from your exercise/);
  }
  assert.is(lambda.calls().length, 0);
});

test("on AWS the deployed mapping is compared with the learner's spec: one deployed from the lab's spec is refused", async () => {
  lambda.reset();
  lambda.on(GetEventSourceMappingCommand, { UUID: KAFKA_ESM_UUID }).resolves(deployedKafkaEsm(lowLatency));
  const dir = exercises();
  try {
    await checkExercise(lowLatency, { dir, place: 'aws', aws: { outputs: deployedFrom(labFolder(lowLatency, dir)), readiness: false } });
    assert.unreachable("ran against a mapping with the lab's batch size");
  } catch (error) {
    assert.instance(error, UsageError);
    assert.match((error as Error).message, /batch/i);
    assert.match((error as Error).message, /25/);
    assert.match((error as Error).message, /your spec\.ts changed since it was deployed: redeploy it with `npm run deploy -- 2 --from .*02-low-latency`/);
  }
});

test("with the exercise deployed, the check's traffic goes to AWS: the deployed producer is invoked for the run", async () => {
  lambda.reset();
  lambda.on(GetEventSourceMappingCommand, { UUID: KAFKA_ESM_UUID }).resolves(deployedKafkaEsm(learnerLab));
  lambda.on(InvokeCommand).rejects(new Error('the test stops the run at the producer'));
  const dir = exercises();
  const outputs = deployedFrom(labFolder(lowLatency, dir));
  await checkExercise(lowLatency, { dir, place: 'aws', quick: true, aws: { outputs, readiness: false, retry: { attempts: 1, sleep: async () => {} } } }).catch(
    () => undefined,
  );
  const invoked = lambda.commandCalls(InvokeCommand).map((call) => call.args[0].input.FunctionName);
  assert.ok(invoked.length > 0, 'the producer was never invoked');
  assert.ok(
    invoked.every((name) => name === outputs.base.producer_function_name),
    invoked.join(', '),
  );
});

test('workshop run --target aws on a deployed exercise: the run says so, and a spec that differs points to check --target aws', async () => {
  lambda.reset();
  lambda.on(GetEventSourceMappingCommand, { UUID: KAFKA_ESM_UUID }).resolves(deployedKafkaEsm(learnerLab));
  const outputs = deployedFrom('exercises/02-low-latency');
  const target = new AwsTarget({ outputs, readiness: false });
  try {
    const prepared = await target.prepare(learnerLab);
    assert.match(prepared.notes().join('\n'), /deployed from the exercise exercises\/02-low-latency/);
    await target.prepare(lowLatency);
    assert.unreachable("ran the lab's spec against the exercise's mapping");
  } catch (error) {
    assert.instance(error, UsageError);
    assert.match(
      (error as Error).message,
      /what is deployed is your exercise exercises\/02-low-latency: check it with `npx workshop check 2 --target aws`, or deploy the lab's own spec with `npm run deploy -- 02-low-latency`/,
    );
  } finally {
    await target.close();
  }
});

test.run();
