// The deploy rehearsed: the project's own `npm run deploy -- base`, then `-- 1` to `-- 5`, then
// `npm run destroy -- --all`, with the real Terraform and the real hashicorp/aws provider against
// moto on 127.0.0.1 (test/support/moto-rehearsal.py fills what moto lacks, each gap commented and
// listed in README). It proves what a real account would otherwise be the first to show: every
// resource is created and destroyed in an order the APIs accept, the deploy's record survives a
// failed apply and a failed readiness check, the settings the deploy makes after apply reach the
// mapping, the AWS target's pre-run check passes on the mappings as Terraform made them, and
// `destroy --all` leaves none of the project's resources. Skips with one line where Terraform,
// the provider mirror or moto is missing (never in CI).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetEventSourceMappingCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkDeployedMappings } from '../../harness/targets/aws-esm-check.ts';
import { loadDeployedOutputs, resolveLabOutputs } from '../../harness/targets/aws-outputs.ts';
import { readRecord, stacksHoldingResources } from '../../labs/deploy/record.ts';
import { findLab, LABS } from '../../labs/index.ts';
import type { LabSpec } from '../../labs/lab-spec.ts';
import { DEFAULT_PREFIX } from '../../labs/participant.ts';
import { workshopTopics } from '../../labs/stacks.ts';
import { olderThan } from '../../labs/version.ts';
import { MSK_SERVERLESS_REPLICATION_FACTOR } from '../../modules/kafka-cluster.ts';
import { createTopicEvent } from '../../modules/load-generator.ts';
import { ADDED_IN } from '../../modules/provider-rehearsal.ts';
import { PROVIDER_VALUES } from '../../modules/provider-values.ts';
import {
  findMoto,
  type Moto,
  mirrorOnlyConfig,
  needsMoto,
  npmRun,
  projectCopy,
  projectResources,
  providerFile,
  REHEARSAL_REGION,
  rehearsalEnv,
  type ScriptRun,
  startMoto,
  terraformCounts,
} from '../support/deploy-rehearsal.ts';
import { findTerraformTools, needsTerraform, type TerraformTools } from '../support/terraform-tools.ts';

const terraformTools = findTerraformTools();
const motoTools = findMoto();

if (needsTerraform(test, terraformTools) && needsMoto(test, motoTools)) {
  const scratch = mkdtempSync(join(tmpdir(), 'klw-rehearsal-'));
  const copy = join(scratch, 'project');
  const stateDir = join(copy, '.deploy');
  let moto: Moto;
  let env: NodeJS.ProcessEnv;
  let lambda: LambdaClient;
  const figures: { step: string; seconds: number; added: number; destroyed: number; status: number }[] = [];
  const started = performance.now();

  const lab = (ref: string): LabSpec => findLab(ref)!;
  /** The Kafka ESM's function of a lab without an SQS buffer (labs/stacks.ts names it). */
  const processorOf = (ref: string) => `${DEFAULT_PREFIX}-${lab(ref).id}-booking-processor`;

  async function step(args: string[]): Promise<ScriptRun> {
    const [script, ...rest] = args;
    const run = await npmRun(copy, env, script, rest);
    figures.push({ step: `npm run ${args.join(' ')}`, seconds: run.seconds, status: run.status, ...terraformCounts(run.output) });
    return run;
  }
  const tail = (run: ScriptRun) => run.output.slice(-3000);

  /**
   * The lab as the rehearsal deploys it: without what the rehearsal copy leaves out for the
   * mirrored provider (modules/provider-rehearsal.ts prints each change at synth).
   */
  function asRehearsed(spec: LabSpec, providerVersion: string): LabSpec {
    const accepted = PROVIDER_VALUES[providerVersion].esmMetrics.values;
    const kafkaEsm = structuredClone(spec.kafkaEsm);
    if (kafkaEsm.metrics) kafkaEsm.metrics = kafkaEsm.metrics.filter((m) => accepted.includes(m));
    if (kafkaEsm.metrics?.length === 0) delete kafkaEsm.metrics;
    const groups = ADDED_IN['aws_lambda_event_source_mapping.provisioned_poller_config.poller_group_name'].release;
    if (kafkaEsm.provisionedPollers && olderThan(providerVersion, groups)) delete kafkaEsm.provisionedPollers.pollerGroupName;
    const registry = ADDED_IN['aws_lambda_event_source_mapping.amazon_managed_kafka_event_source_config.schema_registry_config'].release;
    if (olderThan(providerVersion, registry)) delete kafkaEsm.schemaRegistry;
    return { ...spec, kafkaEsm };
  }

  /** The AWS target's pre-run check, on the mappings the lab's deploy left, read through the Lambda API. */
  async function preRunCheck(ref: string) {
    const deployed = loadDeployedOutputs(join(stateDir, 'outputs.json'));
    const spec = asRehearsed(lab(ref), (terraformTools as TerraformTools).providerVersion);
    return checkDeployedMappings(lambda, spec, resolveLabOutputs(spec, deployed, join(stateDir, 'outputs.json')));
  }

  test.before(async () => {
    const tools = terraformTools as Exclude<typeof terraformTools, { missing: string }>;
    moto = await startMoto(motoTools as Exclude<typeof motoTools, { missing: string }>, join(scratch, 'moto'));
    projectCopy(copy);
    env = rehearsalEnv(moto, providerFile(tools, scratch), mirrorOnlyConfig(tools, scratch));
    lambda = new LambdaClient({ region: REHEARSAL_REGION, endpoint: moto.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  });

  test.after(async () => {
    lambda?.destroy();
    await moto?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  test('deploy base creates the network, the cluster, the load generator and the dashboard, and asks topic-admin for every topic with its replication factor (3 on MSK Serverless, never -1)', async () => {
    const run = await step(['deploy', 'base']);
    assert.is(run.status, 0, tail(run));
    assert.match(run.output, /REHEARSAL \(WORKSHOP_REHEARSAL_PROVIDER is set\)/);
    const record = readRecord(join(stateDir, 'deployed.json'));
    assert.is(record.baseDeployed, true);
    assert.is(record.region, REHEARSAL_REGION);
    const resources = projectResources(moto);
    assert.is(resources.VPCs.length, 1);
    assert.ok(resources.subnets.length >= 2, `subnets: ${resources.subnets}`);
    assert.is(resources['MSK clusters'].length, 1);
    assert.equal(resources['Lambda functions'].sort(), [`${DEFAULT_PREFIX}-producer`, `${DEFAULT_PREFIX}-topic-admin`].sort());
    assert.is(resources.dashboards.length, 1);
    const asked = moto.invocations().filter((i) => i.function === `${DEFAULT_PREFIX}-topic-admin`);
    assert.equal(
      asked.map((i) => i.payload),
      workshopTopics(LABS).map((t) => createTopicEvent(t, MSK_SERVERLESS_REPLICATION_FACTOR) as unknown as Record<string, unknown>),
    );
  });

  test('deploy 1 whose mapping reports a PROBLEM fails in one line and leaves the lab on record for destroy', async () => {
    moto.faults({
      mappingProblem: {
        [processorOf('1')]:
          'PROBLEM: Connection error. Your VPC must be able to connect to Lambda and STS, along with Secrets Manager if authentication is required. You can provide access by configuring PrivateLink or a NAT Gateway.',
      },
    });
    const run = await step(['deploy', '1']);
    moto.faults({});
    assert.is.not(run.status, 0, tail(run));
    assert.match(run.output, /The stack is deployed; nothing was rolled back/);
    assert.is(readRecord(join(stateDir, 'deployed.json')).currentLab, lab('1').id);
  });

  test("the AWS target's pre-run check reads lab 1's mapping through the API and finds it as the spec says", async () => {
    const [kafka] = await preRunCheck('1');
    assert.is(kafka.State, 'Enabled');
    assert.is(kafka.EventSourceArn, (await lambda.send(new GetEventSourceMappingCommand({ UUID: kafka.UUID }))).EventSourceArn);
  });

  test("deploy 2 replaces lab 1, and the 0 s batching window the provider cannot send reaches lab 2's mapping", async () => {
    const run = await step(['deploy', '2']);
    assert.is(run.status, 0, tail(run));
    assert.match(run.output, /terraform destroy lab-01-baseline/);
    const [kafka] = await preRunCheck('2');
    assert.ok(
      moto.mappingUpdates().some((u) => u.UUID === kafka.UUID && u.MaximumBatchingWindowInSeconds === 0),
      'no UpdateEventSourceMapping with MaximumBatchingWindowInSeconds 0 reached the mapping',
    );
    assert.is(kafka.MaximumBatchingWindowInSeconds, 0);
    assert.is(projectResources(moto)['Lambda functions'].filter((f) => f.includes(lab('1').id)).length, 0, 'lab 1 functions left behind');
  });

  for (const ref of ['3', '4', '5']) {
    test(`deploy ${ref} applies its lab and the pre-run check finds every mapping as the spec says`, async () => {
      const run = await step(['deploy', ref]);
      assert.is(run.status, 0, tail(run));
      const mappings = await preRunCheck(ref);
      assert.is(mappings.length, lab(ref).sqsBuffer ? 2 : 1);
    });
  }

  test('deploy 1 whose apply stops half-way records nothing, and its state still holds what was created', async () => {
    moto.faults({ failCreateMapping: [processorOf('1')] });
    const run = await step(['deploy', '1']);
    moto.faults({});
    assert.is.not(run.status, 0, tail(run));
    assert.match(run.output, /Rehearsal fault: CreateEventSourceMapping refused/);
    const record = readRecord(join(stateDir, 'deployed.json'));
    assert.is(record.currentLab, undefined, 'lab 5 was destroyed and lab 1 never finished');
    assert.equal(stacksHoldingResources([lab('1').id], stateDir).labs, [lab('1').id]);
  });

  test('destroy --all takes the half-applied lab and the base, and moto holds nothing of the project', async () => {
    const before = projectResources(moto);
    assert.ok(before['Lambda functions'].includes(processorOf('1')), 'the half-applied lab left no function to destroy');
    const run = await step(['destroy', '--all']);
    assert.is(run.status, 0, tail(run));
    assert.match(run.output, /not recorded as deployed, but its state still holds resources/);
    const after = projectResources(moto);
    for (const [kind, ids] of Object.entries(after)) assert.equal(ids, [], `${kind} left after destroy --all: ${ids.join(', ')}`);
    const record = readRecord(join(stateDir, 'deployed.json'));
    assert.is(record.baseDeployed, false);
    assert.is(record.currentLab, undefined);
  });

  test('the rehearsal prints its figures', () => {
    const total = (performance.now() - started) / 1000;
    const added = figures.reduce((s, f) => s + f.added, 0);
    const destroyed = figures.reduce((s, f) => s + f.destroyed, 0);
    console.log(`[measured] deploy rehearsal against moto: ${added} resources created, ${destroyed} destroyed, ${total.toFixed(0)} s in all`);
    for (const f of figures) {
      console.log(`        ${f.step}: exit ${f.status}, ${f.added} added, ${f.destroyed} destroyed, ${f.seconds.toFixed(1)} s`);
    }
    assert.ok(added > 0 && destroyed === added, `every resource created is destroyed (${added} created, ${destroyed} destroyed)`);
  });
}

test.run();
