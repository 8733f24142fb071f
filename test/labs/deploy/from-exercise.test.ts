// `npm run deploy -- <lab> --from exercises/<lab>`: the arguments, every folder that cannot be
// deployed refused in one line with the bad-input exit code before anything starts, the dry run's
// plan and differences, and the synthesized stacks (only the lab's stack carries the learner's
// settings and handler; the base stack is the workshop's, byte for byte).

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeExercise } from '../../../harness/exercise/workspace.ts';
import { parseDeployArgs } from '../../../labs/deploy/arguments.ts';
import { DeployError } from '../../../labs/deploy/deploy-error.ts';
import { executeSteps } from '../../../labs/deploy/execute.ts';
import { describeExercise, loadExerciseForDeploy } from '../../../labs/deploy/from-exercise.ts';
import { applyStep, planDeploy } from '../../../labs/deploy/plan.ts';
import { readRecord, writeRecord } from '../../../labs/deploy/record.ts';
import type { TerraformRunner } from '../../../labs/deploy/terraform.ts';
import { displayPath } from '../../../labs/display-path.ts';
import { exerciseHandlerFile, labsWithExercise } from '../../../labs/exercise-spec.ts';
import { LABS, labChoices } from '../../../labs/index.ts';
import { DEFAULT_PREFIX } from '../../../labs/participant.ts';
import { labStackName, REPO_ROOT } from '../../../labs/stack-contract.ts';
import { buildWorkshopApp } from '../../../labs/stacks.ts';
import { EXIT } from '../../../labs/workshop-error.ts';
import { Testing } from '../../../modules/cdk-terrain.ts';

const [baseline, lowLatency, , bestPractices] = LABS;

/** A learner's exercise folder holding the lab's solution, with `edit` applied to its spec.ts. */
function exercise(lab: (typeof LABS)[number], edit: (spec: string) => string = (s) => s): string {
  const dir = mkdtempSync(join(tmpdir(), 'klw-from-'));
  writeExercise(lab, 'solution', dir);
  const spec = join(dir, lab.id, 'spec.ts');
  writeFileSync(spec, edit(readFileSync(spec, 'utf8')));
  return join(dir, lab.id);
}

const largerBatches = (spec: string) => spec.replace('const RECORDS_PER_BATCH = 10;', 'const RECORDS_PER_BATCH = 25;');

async function refusal(from: string, lab = lowLatency): Promise<DeployError> {
  try {
    await loadExerciseForDeploy(from, lab, LABS);
  } catch (error) {
    assert.instance(error, DeployError);
    return error as DeployError;
  }
  throw new Error(`--from ${from} was accepted`);
}

test('arguments: --from takes the folder (as the next word or after =), needs a value, and never goes with base', () => {
  const choices = labChoices();
  assert.equal(parseDeployArgs(['2', '--from', 'exercises/02-low-latency'], choices), {
    target: '2',
    refreshBase: false,
    dryRun: false,
    from: 'exercises/02-low-latency',
  });
  assert.equal(parseDeployArgs(['2', '--from=exercises/02-low-latency', '--dry-run'], choices).from, 'exercises/02-low-latency');
  assert.throws(() => parseDeployArgs(['2', '--from'], choices), /--from needs a value/);
  assert.throws(() => parseDeployArgs(['2', '--from', '--dry-run'], choices), /--from needs a value/);
  assert.throws(() => parseDeployArgs(['base', '--from', 'exercises/02-low-latency'], choices), /the base stack has none/);
});

test('a folder that cannot be deployed is one bad-input line naming the fix', async () => {
  const missing = await refusal(join(tmpdir(), 'klw-no-such-exercise'));
  assert.match(missing.message, /there is no such folder.*npx workshop exercise 2/);
  assert.is(missing.exitCode, EXIT.badInput.code);

  const wrongLab = await refusal(exercise(baseline));
  assert.match(wrongLab.message, /is lab 1's exercise, not lab 2's: deploy it with npm run deploy -- 1 --from/);
  assert.is(wrongLab.exitCode, EXIT.badInput.code);

  const empty = join(mkdtempSync(join(tmpdir(), 'klw-from-')), lowLatency.id);
  mkdirSync(empty);
  assert.match((await refusal(empty)).message, /has no spec\.ts: `npx workshop exercise 2` writes it/);

  const file = join(exercise(lowLatency), 'spec.ts');
  assert.match((await refusal(file)).message, /is a file; give the exercise's folder/);
});

test('a spec the local check refuses is refused with the same message', async () => {
  const outOfRange = await refusal(exercise(lowLatency, (s) => s.replace('const RECORDS_PER_BATCH = 10;', 'const RECORDS_PER_BATCH = 0;')));
  assert.match(outOfRange.message, /cannot be deployed \(within AWS's limits failed; `npx workshop check 2` says the same\)/);
  assert.match(outOfRange.message, /batchSize/);
  assert.is(outOfRange.exitCode, EXIT.badInput.code);

  const syntax = await refusal(exercise(lowLatency, (s) => s.replace('export const lab: LabSpec = {', 'export const lab: LabSpec = {{')));
  assert.match(syntax.message, /spec\.ts compiles failed/);
  assert.match(syntax.message, /spec\.ts:\d+:\d+: /);

  const newProblem = await refusal(exercise(lowLatency, (s) => s.replace('...problem,', '...problem, traffic: { ...problem.traffic, ratePerSec: 1 },')));
  assert.match(newProblem.message, /the lab's problem is unchanged failed.*traffic\.ratePerSec is 1/);
});

test('an exercise may use only the topics the base stack creates', async () => {
  const folder = exercise(bestPractices, (s) =>
    s.replace("onFailure: { kind: 'sqs', queueName: 'bookings-failed' },", "onFailure: { kind: 'kafka', topic: 'my-failed-bookings' },"),
  );
  const refused = await refusal(folder, bestPractices);
  assert.match(refused.message, /uses the topic my-failed-bookings, which the base stack does not create: use one of bookings/);
  assert.is(refused.exitCode, EXIT.badInput.code);
});

test('an exercise is read with the settings the learner changed, and only lab 4 carries a handler', async () => {
  const lab2 = await loadExerciseForDeploy(exercise(lowLatency, largerBatches), lowLatency, LABS);
  assert.is(lab2.lab.kafkaEsm.batchSize, 25);
  assert.equal(lab2.handlerSources, {});
  assert.ok(lab2.changes.includes("kafkaEsm.batchSize is 25, the lab's is 10"), lab2.changes.join('\n'));
  assert.match(describeExercise(lab2), /spec\.ts, where it differs from labs\/02-low-latency\/spec\.ts:\n {4}kafkaEsm\.batchSize is 25, the lab's is 10/);

  const folder4 = exercise(bestPractices);
  const lab4 = await loadExerciseForDeploy(folder4, bestPractices, LABS);
  assert.equal(lab4.changes, []);
  assert.equal(lab4.handlerSources, { 'booking-processor': join(folder4, exerciseHandlerFile('booking-processor')) });
  assert.match(
    describeExercise(lab4),
    /the same settings as labs\/04-best-practices\/spec\.ts[\s\S]*booking-processor\.ts: deployed in place of handlers\/booking-processor\.ts/,
  );

  writeFileSync(join(folder4, exerciseHandlerFile('booking-processor')), 'export const handler = async (event) => {\n  return event.;\n};\n');
  const broken = await refusal(folder4, bestPractices);
  assert.match(broken.message, /booking-processor\.ts does not build, so it cannot be deployed[\s\S]*booking-processor\.ts:2:/);
});

test('the plan and the record say the lab came from the exercise', () => {
  const [step] = planDeploy(lowLatency, { baseDeployed: true }, { from: 'exercises/02-low-latency' });
  assert.is(step.why, 'deploy lab 02-low-latency from your exercise exercises/02-low-latency');
  const deployed = applyStep({ baseDeployed: true }, step, 'eu-west-1', DEFAULT_PREFIX);
  assert.equal(deployed, {
    baseDeployed: true,
    region: 'eu-west-1',
    prefix: DEFAULT_PREFIX,
    currentLab: lowLatency.id,
    currentLabFrom: 'exercises/02-low-latency',
  });
  // The lab's own spec deployed over it: the record no longer names the exercise.
  const [own] = planDeploy(lowLatency, deployed);
  assert.equal(applyStep(deployed, own, 'eu-west-1', DEFAULT_PREFIX), {
    baseDeployed: true,
    region: 'eu-west-1',
    prefix: DEFAULT_PREFIX,
    currentLab: lowLatency.id,
  });
});

test("executeSteps with the exercise: the post-apply settings are the learner's, and the record and outputs name the folder", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'klw-from-deploy-'));
  const learner = { ...baseline, kafkaEsm: { ...baseline.kafkaEsm, batchingWindowSeconds: 0 } };
  const fixed: string[] = [];
  const runner: TerraformRunner = { run: () => {}, output: (stack) => (stack === 'base' ? {} : { kafka_esm_uuid: `uuid-of-${stack}` }) };
  const log = console.log;
  console.log = () => {};
  try {
    writeRecord({ baseDeployed: true, region: 'eu-west-1' }, join(dir, 'deployed.json'));
    const record = await executeSteps(planDeploy(baseline, { baseDeployed: true }, { from: 'exercises/01-baseline' }), {
      region: 'eu-west-1',
      prefix: DEFAULT_PREFIX,
      labs: labsWithExercise(LABS, learner),
      runner,
      recordFile: join(dir, 'deployed.json'),
      outputsFile: join(dir, 'outputs.json'),
      applySettings: async (_region, uuid, settings) => void fixed.push(`${uuid} ${JSON.stringify(settings)}`),
      checkMappings: async () => {},
    });
    // Lab 1's own spec leaves the window at Kafka's default, so only the learner's 0 s needs the fix.
    assert.equal(fixed, ['uuid-of-lab-01-baseline {"MaximumBatchingWindowInSeconds":0}']);
    assert.equal(record.currentLabFrom, 'exercises/01-baseline');
    assert.equal(readRecord(join(dir, 'deployed.json')), record);
    assert.is(JSON.parse(readFileSync(join(dir, 'outputs.json'), 'utf8')).lab.from, 'exercises/01-baseline');
  } finally {
    console.log = log;
  }
});

test('--dry-run --from prints the plan and what differs from the lab, and deploys nothing', () => {
  const folder = exercise(lowLatency, largerBatches);
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'labs/deploy.ts'), '2', '--from', folder, '--dry-run'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, AWS_REGION: 'eu-west-1', AWS_PROFILE: '' },
  });
  assert.is(run.status, 0, run.stderr);
  assert.match(run.stdout, /Deploy plan \(region eu-west-1, prefix klw\):/);
  assert.ok(
    run.stdout.includes(`terraform apply lab-02-low-latency  (deploy lab 02-low-latency from your exercise ${displayPath(folder, REPO_ROOT)})`),
    run.stdout,
  );
  assert.match(run.stdout, /kafkaEsm\.batchSize is 25, the lab's is 10/);
  assert.not.match(run.stdout, /Using terraform|Synthesized/);

  const bad = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'labs/deploy.ts'), '2', '--from', exercise(baseline), '--dry-run'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, AWS_REGION: 'eu-west-1' },
  });
  assert.is(bad.status, EXIT.badInput.code);
  assert.is(bad.stderr.trim().split('\n').length, 1, bad.stderr);
  assert.not.match(bad.stdout, /Deploy plan/);
});

test("synth with --from: the lab's stack carries the learner's values and handler, the base stack is byte-identical", async () => {
  const folder = exercise(bestPractices, (s) => s.replace('batchSize: 50,', 'batchSize: 40,'));
  writeFileSync(
    join(folder, exerciseHandlerFile('booking-processor')),
    `${readFileSync(join(folder, exerciseHandlerFile('booking-processor')), 'utf8')}\nexport const builtBy = 'a learner';\n`,
  );
  const learner = await loadExerciseForDeploy(folder, bestPractices, LABS);
  const dir = mkdtempSync(join(tmpdir(), 'klw-from-synth-'));
  const options = { labs: LABS, region: 'eu-west-1', stateDir: join(dir, 'state'), outdir: join(dir, 'out') };
  const reference = buildWorkshopApp(options);
  const mine = buildWorkshopApp({ ...options, exercise: learner });

  assert.is(Testing.synth(mine.base), Testing.synth(reference.base));
  const stackOf = (app: typeof mine) => app.labs.find((stack) => stack.stackName === labStackName(bestPractices))!;
  const tf = (app: typeof mine) => JSON.parse(Testing.synth(stackOf(app))) as { resource: Record<string, Record<string, Record<string, unknown>>> };
  const esm = (app: typeof mine) => Object.values(tf(app).resource.aws_lambda_event_source_mapping)[0];
  assert.is(esm(mine).batch_size, 40);
  assert.is(esm(reference).batch_size, 50);
  const code = (app: typeof mine) => Object.values(tf(app).resource.aws_lambda_function)[0].filename;
  assert.is.not(code(mine), code(reference));
  // Every other lab's stack is the workshop's own.
  for (const other of LABS.filter((lab) => lab.id !== bestPractices.id)) {
    const of = (app: typeof mine) => Testing.synth(app.labs.find((stack) => stack.stackName === labStackName(other))!);
    assert.is(of(mine), of(reference));
  }
});

test.run();
