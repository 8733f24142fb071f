// The deploy and destroy scripts' decisions (which stacks, in which order, what gets recorded),
// as pure functions, plus one run against a fake Terraform. Nothing here needs AWS.

import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccessDenied, GetObjectCommand, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseDeployArgs, parseDestroyArgs, resolveTarget } from '../../labs/deploy/arguments.ts';
import { DeployError } from '../../labs/deploy/deploy-error.ts';
import { type ExecuteOptions, executeSteps } from '../../labs/deploy/execute.ts';
import { applyStep, checkPrefix, checkRegion, formatPlan, planDeploy, planDestroy, postApplySettings, type Step } from '../../labs/deploy/plan.ts';
import {
  type DeployRecord,
  readRecord,
  stacksHoldingResources,
  stacksHoldingResourcesInBucket,
  withDeployedBase,
  writeRecord,
} from '../../labs/deploy/record.ts';
import type { TerraformRunner } from '../../labs/deploy/terraform.ts';
import { findLab, LABS, labChoices } from '../../labs/index.ts';
import type { LabSpec } from '../../labs/lab-spec.ts';
import { type DeployedOutputs, readDeployedOutputs, stateKey, statePath } from '../../labs/stack-contract.ts';

const choices = labChoices();
const lab = (n: number) => findLab(n) as LabSpec;
const stacks = (steps: Step[]) => steps.map((s) => `${s.action} ${s.stack}`);

test('deploy arguments: one lab, optional --base and --dry-run', () => {
  assert.equal(parseDeployArgs(['2'], choices), { target: '2', refreshBase: false, dryRun: false });
  assert.equal(parseDeployArgs(['low-latency', '--base', '--dry-run'], choices), { target: 'low-latency', refreshBase: true, dryRun: true });
  assert.throws(
    () => parseDeployArgs([], choices),
    (e: Error) => e instanceof DeployError && /Which lab\? Usage: npm run deploy -- <lab\|base>/.test(e.message),
  );
  assert.throws(() => parseDeployArgs(['1', '2'], choices), /One lab at a time, got 1 2/);
  assert.throws(() => parseDeployArgs(['1', '--force'], choices), /Unknown option --force/);
});

test('destroy arguments: nothing, a lab, or --all', () => {
  assert.equal(parseDestroyArgs([], choices), { target: undefined, all: false, dryRun: false });
  assert.equal(parseDestroyArgs(['4'], choices), { target: '4', all: false, dryRun: false });
  assert.equal(parseDestroyArgs(['--all', '--dry-run'], choices), { target: undefined, all: true, dryRun: true });
  assert.throws(() => parseDestroyArgs(['4', '--all'], choices), /either a lab or --all/);
});

test('targets: a lab by number, id or short name, or base; anything else lists the choices', () => {
  assert.is(resolveTarget('3', findLab, choices), lab(3));
  assert.is(resolveTarget('03-sqs-buffer', findLab, choices), lab(3));
  assert.is(resolveTarget('sqs-buffer', findLab, choices), lab(3));
  assert.is(resolveTarget('base', findLab, choices), 'base');
  assert.throws(() => resolveTarget('9', findLab, choices), /There is no lab "9": use one of 1 \(01-baseline\), .*, or base\./);
});

test('first deploy: base, then the lab', () => {
  assert.equal(stacks(planDeploy(lab(1), { baseDeployed: false })), ['apply base', 'apply lab-01-baseline']);
});

test('switching labs destroys the previous lab first, and leaves the base alone', () => {
  const steps = planDeploy(lab(3), { baseDeployed: true, currentLab: '01-baseline' });
  assert.equal(stacks(steps), ['destroy lab-01-baseline', 'apply lab-03-sqs-buffer']);
  assert.match(steps[0].why, /only one pipeline consumes the topic at a time/);
});

test('re-deploying the current lab updates it in place; --base re-applies the base too', () => {
  assert.equal(stacks(planDeploy(lab(2), { baseDeployed: true, currentLab: '02-low-latency' })), ['apply lab-02-low-latency']);
  assert.equal(stacks(planDeploy(lab(2), { baseDeployed: true, currentLab: '02-low-latency' }, { refreshBase: true })), [
    'apply base',
    'apply lab-02-low-latency',
  ]);
});

test('deploy base only: applies the base and keeps the current lab', () => {
  assert.equal(stacks(planDeploy('base', { baseDeployed: true, currentLab: '04-best-practices' })), ['apply base']);
});

test('destroy: the current lab by default, a named lab, or everything lab-first', () => {
  const record: DeployRecord = { baseDeployed: true, currentLab: '02-low-latency' };
  assert.equal(stacks(planDestroy(undefined, false, record)), ['destroy lab-02-low-latency']);
  assert.equal(stacks(planDestroy(lab(4), false, record)), ['destroy lab-04-best-practices']);
  assert.equal(stacks(planDestroy(undefined, true, record)), ['destroy lab-02-low-latency', 'destroy base']);
  assert.equal(stacks(planDestroy('base', false, record)), ['destroy lab-02-low-latency', 'destroy base']);
  assert.equal(planDestroy(undefined, false, { baseDeployed: true }), []);
  assert.equal(planDestroy(undefined, true, { baseDeployed: false }), []);
  assert.is(formatPlan([]), 'Nothing to do.');
});

test('the record follows each step', () => {
  let record: DeployRecord = { baseDeployed: false };
  record = applyStep(record, { action: 'apply', stack: 'base', why: '' }, 'eu-west-1', 'ana2');
  record = applyStep(record, { action: 'apply', stack: 'lab-01-baseline', labId: '01-baseline', why: '' }, 'eu-west-1', 'ana2');
  assert.equal(record, { baseDeployed: true, currentLab: '01-baseline', region: 'eu-west-1', prefix: 'ana2' });
  record = applyStep(record, { action: 'destroy', stack: 'lab-04-best-practices', labId: '04-best-practices', why: '' }, 'eu-west-1', 'ana2');
  assert.is(record.currentLab, '01-baseline', 'destroying another lab keeps the current one');
  record = applyStep(record, { action: 'destroy', stack: 'lab-01-baseline', labId: '01-baseline', why: '' }, 'eu-west-1', 'ana2');
  record = applyStep(record, { action: 'destroy', stack: 'base', why: '' }, 'eu-west-1', 'ana2');
  assert.equal(record, { baseDeployed: false });
});

test('a deployment in another region is not silently orphaned', () => {
  assert.throws(() => checkRegion({ baseDeployed: true, region: 'us-east-1' }, 'eu-west-1'), /deployed in us-east-1 but AWS_REGION is eu-west-1/);
  checkRegion({ baseDeployed: false }, 'eu-west-1');
  checkRegion({ baseDeployed: true, region: 'eu-west-1' }, 'eu-west-1');
});

test("a deployment under another participant's prefix is refused in one line, a record without one counts as klw", () => {
  const refusal = (record: DeployRecord, prefix: string) => {
    try {
      checkPrefix(record, prefix);
    } catch (error) {
      assert.instance(error, DeployError);
      assert.is((error as DeployError).exitCode, 2, 'bad input: the line says what to change');
      return (error as Error).message;
    }
    return undefined;
  };
  const message = refusal({ baseDeployed: true, region: 'eu-west-1', prefix: 'ana2' }, 'klw');
  assert.is(
    message,
    'The workshop is deployed with WORKSHOP_PREFIX=ana2 but WORKSHOP_PREFIX is klw now: set WORKSHOP_PREFIX=ana2 (or destroy with it first, npm run destroy -- --all).',
  );
  assert.not.match(message!, /\n/);
  assert.match(refusal({ baseDeployed: false, currentLab: '01-baseline' }, 'bob') ?? '', /deployed with WORKSHOP_PREFIX=klw but WORKSHOP_PREFIX is bob/);
  assert.is(refusal({ baseDeployed: true, prefix: 'ana2' }, 'ana2'), undefined);
  assert.is(refusal({ baseDeployed: true }, 'klw'), undefined, 'deployed before prefixes existed: with klw');
  assert.is(refusal({ baseDeployed: false, prefix: 'ana2' }, 'bob'), undefined, 'nothing deployed: any prefix may start');
});

test('the record file keeps the prefix the stacks were deployed with', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'klw-record-')), 'deployed.json');
  writeRecord({ baseDeployed: true, region: 'eu-west-1', prefix: 'ana2' }, file);
  assert.equal(readRecord(file), { baseDeployed: true, region: 'eu-west-1', prefix: 'ana2' });
});

test('after apply: a 0 s Kafka batching window and LoggingConfig, which the provider cannot set', () => {
  assert.equal(
    LABS.map((l) => [l.number, postApplySettings(l)]),
    [
      [1, undefined],
      [2, { MaximumBatchingWindowInSeconds: 0 }],
      [3, { MaximumBatchingWindowInSeconds: 0 }],
      [4, { MaximumBatchingWindowInSeconds: 0, LoggingConfig: { SystemLogLevel: 'INFO' } }],
      [5, { MaximumBatchingWindowInSeconds: 0, LoggingConfig: { SystemLogLevel: 'INFO' } }],
    ],
  );
});

test('executeSteps: init + apply/destroy per stack, the 0 s window fix, record and outputs written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'klw-deploy-'));
  const recordFile = join(dir, 'deployed.json');
  const outputsFile = join(dir, 'outputs.json');
  const calls: string[] = [];
  const fixed: string[] = [];
  const checked: string[] = [];
  const runner: TerraformRunner = {
    run: (stack, args) => void calls.push(`${stack} ${args[0]}`),
    output: (stack) => (stack === 'base' ? { producer_function_name: 'klw-producer' } : { kafka_esm_uuid: `uuid-of-${stack}` }),
  };
  const log = console.log;
  console.log = () => {};
  try {
    const steps = planDeploy(lab(2), readRecord(recordFile));
    const record = await executeSteps(steps, {
      region: 'eu-west-1',
      prefix: 'klw',
      labs: LABS,
      runner,
      recordFile,
      outputsFile,
      applySettings: async (region, uuid, settings) => void fixed.push(`${region} ${uuid} ${JSON.stringify(settings)}`),
      checkMappings: async (region, mappings, labId) => void checked.push(`${region} ${labId} ${mappings.map((m) => m.uuid).join(',')}`),
    });
    assert.equal(calls, ['base init', 'base apply', 'lab-02-low-latency init', 'lab-02-low-latency apply']);
    assert.equal(fixed, ['eu-west-1 uuid-of-lab-02-low-latency {"MaximumBatchingWindowInSeconds":0}']);
    assert.equal(checked, ['eu-west-1 02-low-latency uuid-of-lab-02-low-latency'], "the applied lab's mapping is watched for a PROBLEM");
    assert.equal(record, { baseDeployed: true, currentLab: '02-low-latency', region: 'eu-west-1', prefix: 'klw' });
    assert.equal(readRecord(recordFile), record);
    assert.equal(JSON.parse(readFileSync(outputsFile, 'utf8')), {
      region: 'eu-west-1',
      base: { producer_function_name: 'klw-producer' },
      lab: { id: '02-low-latency', stack: 'lab-02-low-latency', outputs: { kafka_esm_uuid: 'uuid-of-lab-02-low-latency' } },
    });

    calls.length = 0;
    await executeSteps(planDestroy(undefined, true, readRecord(recordFile)), {
      region: 'eu-west-1',
      prefix: 'klw',
      labs: LABS,
      runner,
      recordFile,
      outputsFile,
    });
    assert.equal(calls, ['lab-02-low-latency init', 'lab-02-low-latency destroy', 'base init', 'base destroy']);
    assert.equal(readRecord(recordFile), { baseDeployed: false });
    assert.not.ok(existsSync(outputsFile), 'no stale outputs once everything is gone');
  } finally {
    console.log = log;
  }
});

/** Deploys lab 1 onto nothing with `runner` (and `checkMappings`), quietly: the error it ended with and the record left. */
async function deployLab1(
  runner: TerraformRunner,
  checkMappings?: ExecuteOptions['checkMappings'],
): Promise<{ error: unknown; record: DeployRecord; outputs: DeployedOutputs | undefined }> {
  const dir = mkdtempSync(join(tmpdir(), 'klw-deploy-'));
  const recordFile = join(dir, 'deployed.json');
  const log = console.log;
  console.log = () => {};
  try {
    let error: unknown;
    await executeSteps(planDeploy(lab(1), { baseDeployed: false }), {
      region: 'us-east-1',
      prefix: 'klw',
      labs: LABS,
      runner,
      recordFile,
      outputsFile: join(dir, 'o.json'),
      checkMappings,
    }).catch((e) => (error = e));
    return { error, record: readRecord(recordFile), outputs: readDeployedOutputs(join(dir, 'o.json')) };
  } finally {
    console.log = log;
  }
}

test('a failing step stops the run and keeps what succeeded on record', async () => {
  const { error, record } = await deployLab1({
    run: (stack, args) => {
      if (stack !== 'base' && args[0] === 'apply') throw new DeployError(`terraform apply failed for stack ${stack} (exit 1): see its output above.`);
    },
    output: () => ({}),
  });
  assert.instance(error, DeployError);
  assert.equal(record, { baseDeployed: true, region: 'us-east-1', prefix: 'klw' });
});

test('a lab whose checks fail after apply is on record, so destroy takes it down, and in the outputs file', async () => {
  const { error, record, outputs } = await deployLab1(
    { run: () => {}, output: (stack) => (stack === 'base' ? {} : { kafka_esm_uuid: 'uuid-1' }) },
    async () => {
      throw new DeployError('The Kafka event source mapping is Enabled but reports "PROBLEM: ..."');
    },
  );
  assert.instance(error, DeployError);
  assert.equal(record, { baseDeployed: true, currentLab: '01-baseline', region: 'us-east-1', prefix: 'klw' });
  assert.equal(stacks(planDestroy(undefined, true, record)), ['destroy lab-01-baseline', 'destroy base']);
  // And the outputs name it, so the AWS target's pre-run check finds the mapping to explain.
  assert.is(outputs?.lab?.id, '01-baseline');
  assert.equal(outputs?.lab?.outputs, { kafka_esm_uuid: 'uuid-1' });
});

test('destroy --all also takes every stack whose state still holds resources, recorded or not', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'klw-states-'));
  const state = (stack: string, resources: unknown[]) => writeFileSync(statePath(stateDir, stack), JSON.stringify({ version: 4, resources }));
  const instance = { instances: [{ attributes: {} }] };
  state('base', [{ mode: 'managed', type: 'aws_vpc', ...instance }]);
  state('lab-03-sqs-buffer', [{ mode: 'managed', type: 'aws_sqs_queue', ...instance }]);
  state('lab-02-low-latency', [{ mode: 'data', type: 'terraform_remote_state', ...instance }]);
  state('lab-04-best-practices', [{ mode: 'managed', type: 'aws_sqs_queue', instances: [] }]);
  const held = stacksHoldingResources(
    LABS.map((l) => l.id),
    stateDir,
  );
  assert.equal(held, { base: true, labs: ['03-sqs-buffer'] }, 'only managed resources with instances count');
  assert.equal(stacks(planDestroy(undefined, true, { baseDeployed: false }, held)), ['destroy lab-03-sqs-buffer', 'destroy base']);
  assert.equal(stacks(planDestroy(undefined, true, { baseDeployed: true, currentLab: '03-sqs-buffer' }, held)), ['destroy lab-03-sqs-buffer', 'destroy base']);
  assert.equal(stacks(planDestroy(undefined, false, { baseDeployed: true }, held)), [], 'without --all only the recorded lab goes');
  writeFileSync(statePath(stateDir, 'base'), '{not json');
  assert.throws(() => stacksHoldingResources([], stateDir), /is not a Terraform state Terraform wrote/);
});

test('with a state bucket, held stacks are read from S3 (S3 mocked): a missing object holds nothing, an unreadable bucket is explained', async () => {
  const s3 = mockClient(S3Client);
  const client = new S3Client({ region: 'eu-west-1' });
  const body = (resources: unknown[]) => ({ Body: { transformToString: async () => JSON.stringify({ version: 4, resources }) } }) as never;
  s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} }));
  s3.on(GetObjectCommand, { Bucket: 'klw-state-1', Key: stateKey('base') }).resolves(body([{ mode: 'managed', type: 'aws_vpc', instances: [{}] }]));
  s3.on(GetObjectCommand, { Bucket: 'klw-state-1', Key: stateKey('lab-02-low-latency') }).resolves(
    body([{ mode: 'managed', type: 'aws_lambda_function', instances: [{}] }]),
  );
  s3.on(GetObjectCommand, { Bucket: 'klw-state-1', Key: stateKey('lab-03-sqs-buffer') }).resolves(body([]));
  const held = await stacksHoldingResourcesInBucket(
    LABS.map((l) => l.id),
    { bucket: 'klw-state-1', region: 'eu-west-1' },
    client,
  );
  assert.equal(held, { base: true, labs: ['02-low-latency'] });
  assert.equal(
    stacks(planDestroy(undefined, true, { baseDeployed: false }, held)),
    ['destroy lab-02-low-latency', 'destroy base'],
    'destroy --all finds the event-deployed base',
  );
  s3.reset();
  s3.on(GetObjectCommand).rejects(new AccessDenied({ message: 'Access Denied', $metadata: {} }));
  try {
    await stacksHoldingResourcesInBucket([], { bucket: 'klw-state-1', region: 'eu-west-1' }, client);
    assert.unreachable('an unreadable bucket must not read as empty');
  } catch (error) {
    assert.instance(error, DeployError);
    assert.match((error as Error).message, /Could not read s3:\/\/klw-state-1\/terraform\/base\.tfstate .*WORKSHOP_STATE_BUCKET/);
  }
  s3.restore();
});

test('a base found in shared state counts as deployed, so the next lab does not apply it again', () => {
  const shared = withDeployedBase({ baseDeployed: false }, { base: true, labs: [] }, 'eu-west-1');
  assert.equal(shared, { baseDeployed: true, region: 'eu-west-1' });
  assert.equal(stacks(planDeploy(lab(1), shared)), ['apply lab-01-baseline']);
  assert.equal(withDeployedBase({ baseDeployed: false }, { base: false, labs: [] }, 'eu-west-1'), { baseDeployed: false });
  assert.equal(stacks(planDeploy(lab(1), { baseDeployed: false })), ['apply base', 'apply lab-01-baseline']);
});

test('a corrupt record is explained, not parsed blindly', () => {
  const dir = mkdtempSync(join(tmpdir(), 'klw-deploy-'));
  const file = join(dir, 'deployed.json');
  writeFileSync(file, '{not json');
  assert.throws(() => readRecord(file), /is not valid JSON: fix or delete it/);
});

test.run();
