// IAM simulation of every role the stacks create, on concrete ARNs built from one sample cluster:
// everything each mapping, function and destination needs is Allowed, and one thing each must
// not do is Denied. The needs are AWS's lists:
//   Kafka ESM    lambda/latest/dg/with-msk-permissions.html (kafka:DescribeClusterV2,
//                kafka:GetBootstrapBrokers, the EC2 network-interface actions, and for IAM access
//                control kafka-cluster:Connect, DescribeClusterDynamicConfiguration, DescribeTopic,
//                ReadData, DescribeGroup, AlterGroup)
//   destination  lambda/latest/dg/kafka-on-failure.html (SQS sqs:SendMessage; SNS sns:Publish;
//                S3 s3:PutObject and s3:ListBucket; Kafka kafka-cluster:WriteData on the topic)
//   SQS ESM      lambda/latest/dg/services-sqs-configure.html (sqs:ReceiveMessage, DeleteMessage,
//                GetQueueAttributes)
//   schema registry  a Glue registry is read with the ESM's role (API_KafkaSchemaRegistryAccessConfig.html):
//                glue:GetRegistry and glue:GetSchemaVersion, as aws-cdk's GlueSchemaRegistry grants them; the producer looks
//                up the booking schema's version with glue:RegisterSchemaVersion (and
//                glue:GetSchemaVersion when uncached), as @meinestadt.de/glue-schema-registry calls them
//   every function  logs:CreateLogStream and logs:PutLogEvents on its own log group (the workshop
//                creates the log groups, so logs:CreateLogGroup is not needed)
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { valueSubject } from '../../handlers/shared/avro-booking.ts';
import { GLUE_REGISTRY_VARIABLE } from '../../handlers/shared/glue-booking.ts';
import { LABS } from '../../labs/index.ts';
import { workshopTopics } from '../../labs/stacks.ts';
import { type Decision, decide, glueArn, groupArn, logStreamArn, queueArn, resolve, SAMPLE_CLUSTER_ARN, topicArn } from './iam-simulation.ts';
import { realStacks, schemaRegistryBase } from './real-stacks.ts';
import { type Addressed, esmRoleStatements, functionRoleStatements, kafkaEsms, resourcesOf, type Statement, type TfJson } from './rules.ts';

const REAL = realStacks();
const ENI_ARN = 'arn:aws:ec2:eu-west-1:123456789012:network-interface/eni-0123456789abcdef0';
/** A group the ESM names itself when the lab sets no consumer group id (its UUID). */
const ESM_MADE_GROUP = '3f1e7c2a-9b4d-4e8f-a1c6-5d2b8e0f7a93';
const TOPICS = workshopTopics(LABS).map((t) => t.name);

interface Check {
  what: string;
  action: string;
  resource: string;
  expected: Decision | 'Denied';
}

const need = (what: string, action: string, resource: string): Check => ({ what, action, resource, expected: 'Allowed' });
const mustNot = (what: string, action: string, resource: string): Check => ({ what, action, resource, expected: 'Denied' });

function kafkaEsmChecks(tf: TfJson, esm: Addressed): Check[] {
  const topics: string[] = esm.block.topics;
  const group = esm.block.amazon_managed_kafka_event_source_config?.consumer_group_id ?? ESM_MADE_GROUP;
  const checks = [
    need('ESM', 'kafka:DescribeClusterV2', SAMPLE_CLUSTER_ARN),
    need('ESM', 'kafka:GetBootstrapBrokers', '*'),
    need('ESM', 'kafka-cluster:Connect', SAMPLE_CLUSTER_ARN),
    need('ESM', 'kafka-cluster:DescribeClusterDynamicConfiguration', SAMPLE_CLUSTER_ARN),
    ...topics.flatMap((t) => [need('ESM', 'kafka-cluster:DescribeTopic', topicArn(t)), need('ESM', 'kafka-cluster:ReadData', topicArn(t))]),
    need('ESM', 'kafka-cluster:DescribeGroup', groupArn(group)),
    need('ESM', 'kafka-cluster:AlterGroup', groupArn(group)),
    ...['ec2:DescribeNetworkInterfaces', 'ec2:DescribeVpcs', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups'].map((a) => need('ESM', a, '*')),
    need('ESM', 'ec2:CreateNetworkInterface', ENI_ARN),
    need('ESM', 'ec2:DeleteNetworkInterface', ENI_ARN),
    mustNot('ESM', 'kafka-cluster:ReadData', topicArn('payments')),
    mustNot('ESM', 'kafka-cluster:WriteData', topicArn(topics[0])),
    mustNot('ESM', 'kafka-cluster:AlterGroup', groupArn(group, SAMPLE_CLUSTER_ARN.replace('klw-cluster', 'other-cluster'))),
  ];
  const registryUri: string | undefined = esm.block.amazon_managed_kafka_event_source_config?.schema_registry_config?.schema_registry_uri;
  if (registryUri) {
    const registry = resolve(tf, registryUri);
    const name = registry.split(':registry/')[1];
    const schema = glueArn('schema', `${name}/${valueSubject(topics[0])}`);
    checks.push(
      need('schema registry', 'glue:GetRegistry', registry),
      need('schema registry', 'glue:GetSchemaVersion', registry),
      need('schema registry', 'glue:GetSchemaVersion', schema),
      mustNot('schema registry', 'glue:GetSchemaVersion', glueArn('schema', `other-registry/${valueSubject(topics[0])}`)),
      mustNot('schema registry', 'glue:GetRegistry', glueArn('registry', 'other-registry')),
      mustNot('schema registry', 'glue:RegisterSchemaVersion', schema),
      mustNot('schema registry', 'glue:DeleteSchema', schema),
    );
  }
  const destination: string | undefined = esm.block.destination_config?.on_failure?.destination_arn;
  if (destination?.startsWith('kafka://')) {
    const topic = destination.slice('kafka://'.length);
    checks.push(need('destination', 'kafka-cluster:WriteData', topicArn(topic)), need('destination', 'kafka-cluster:DescribeTopic', topicArn(topic)));
    checks.push(mustNot('destination', 'kafka-cluster:ReadData', topicArn(topic)));
  } else if (destination) {
    const arn = resolve(tf, destination);
    if (arn.startsWith('arn:aws:sns:')) {
      checks.push(need('destination', 'sns:Publish', arn), mustNot('destination', 'sns:Subscribe', arn), mustNot('destination', 'sns:Publish', `${arn}-other`));
    } else if (arn.startsWith('arn:aws:s3:::')) {
      checks.push(need('destination', 's3:PutObject', `${arn}/aws/lambda/esm/bookings-0/2026/12/05/record`), need('destination', 's3:ListBucket', arn));
      checks.push(
        mustNot('destination', 's3:GetObject', `${arn}/aws/lambda/esm/bookings-0/2026/12/05/record`),
        mustNot('destination', 's3:PutObject', 'arn:aws:s3:::some-other-bucket/key'),
      );
    } else {
      checks.push(need('destination', 'sqs:SendMessage', arn));
      checks.push(mustNot('destination', 'sqs:DeleteMessage', arn));
    }
  }
  return checks;
}

function sqsEsmChecks(tf: TfJson, esm: Addressed): Check[] {
  const queue = resolve(tf, esm.block.event_source_arn);
  return [
    ...['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'].map((a) => need('SQS ESM', a, queue)),
    mustNot('SQS ESM', 'sqs:SendMessage', queue),
    mustNot('SQS ESM', 'sqs:ReceiveMessage', queueArn('klw-other-queue')),
  ];
}

/** What the function itself does, by its service name (modules/load-generator.ts, sqs-buffer.ts). */
function functionChecks(tf: TfJson, fn: Addressed): Check[] {
  const logGroup = `/aws/lambda/${fn.block.function_name}`;
  const checks = [
    need('logs', 'logs:CreateLogStream', logStreamArn(logGroup)),
    need('logs', 'logs:PutLogEvents', logStreamArn(logGroup)),
    mustNot('logs', 'logs:PutLogEvents', logStreamArn('/aws/lambda/some-other-function')),
  ];
  const service = fn.block.environment?.variables?.POWERTOOLS_SERVICE_NAME;
  if (service === 'producer') {
    checks.push(need('producer', 'kafka-cluster:Connect', SAMPLE_CLUSTER_ARN));
    for (const t of TOPICS) checks.push(need('producer', 'kafka-cluster:DescribeTopic', topicArn(t)), need('producer', 'kafka-cluster:WriteData', topicArn(t)));
    checks.push(mustNot('producer', 'kafka-cluster:ReadData', topicArn(TOPICS[0])), mustNot('producer', 'kafka-cluster:WriteData', topicArn('payments')));
    const registryName: string | undefined = fn.block.environment?.variables?.[GLUE_REGISTRY_VARIABLE];
    if (registryName) {
      const schema = glueArn('schema', `${registryName}/${valueSubject(TOPICS[0])}`);
      for (const action of ['glue:RegisterSchemaVersion', 'glue:GetSchemaVersion']) {
        checks.push(need('producer', action, glueArn('registry', registryName)), need('producer', action, schema));
      }
      checks.push(
        mustNot('producer', 'glue:RegisterSchemaVersion', glueArn('schema', `other-registry/${valueSubject(TOPICS[0])}`)),
        mustNot('producer', 'glue:CreateSchema', schema),
        mustNot('producer', 'glue:DeleteSchemaVersions', schema),
      );
    }
  }
  if (service === 'topic-admin') {
    checks.push(need('topic-admin', 'kafka-cluster:Connect', SAMPLE_CLUSTER_ARN));
    for (const t of TOPICS)
      checks.push(need('topic-admin', 'kafka-cluster:CreateTopic', topicArn(t)), need('topic-admin', 'kafka-cluster:DescribeTopic', topicArn(t)));
    checks.push(
      mustNot('topic-admin', 'kafka-cluster:DeleteTopic', topicArn(TOPICS[0])),
      mustNot('topic-admin', 'kafka-cluster:WriteData', topicArn(TOPICS[0])),
    );
  }
  if (service === 'sqs-forwarder') {
    const bufferEsm = resourcesOf(tf, 'aws_lambda_event_source_mapping').find((e) => !e.block.topics);
    const buffer = resolve(tf, bufferEsm!.block.event_source_arn);
    checks.push(need('forwarder', 'sqs:SendMessage', buffer));
    for (const other of resourcesOf(tf, 'aws_sqs_queue').filter((q) => queueArn(q.block.name) !== buffer)) {
      checks.push(mustNot('forwarder', 'sqs:SendMessage', queueArn(other.block.name)));
    }
  }
  return checks;
}

/** Every check of every role of a stack, with the role's statements. */
function stackChecks(tf: TfJson): { role: string; statements: Statement[]; checks: Check[] }[] {
  const roles = new Map<string, { role: string; statements: Statement[]; checks: Check[] }>();
  const forFunction = (fn: Addressed) => {
    const found = functionRoleStatements(tf, fn);
    assert.equal(found.problems, [], fn.address);
    const key = found.role!;
    if (!roles.has(key)) roles.set(key, { role: key, statements: found.statements, checks: functionChecks(tf, fn) });
    return roles.get(key)!;
  };
  for (const fn of resourcesOf(tf, 'aws_lambda_function')) forFunction(fn);
  for (const esm of kafkaEsms(tf)) {
    const { role } = esmRoleStatements(tf, esm);
    roles.get(role!)!.checks.push(...kafkaEsmChecks(tf, esm));
  }
  for (const esm of resourcesOf(tf, 'aws_lambda_event_source_mapping').filter((e) => !e.block.topics)) {
    const { role } = esmRoleStatements(tf, esm);
    roles.get(role!)!.checks.push(...sqsEsmChecks(tf, esm));
  }
  return [...roles.values()];
}

async function failures(tf: TfJson, stackName: string): Promise<{ failed: string[]; allowed: number; denied: number }> {
  const failed: string[] = [];
  let allowed = 0;
  let denied = 0;
  for (const { role, statements, checks } of stackChecks(tf)) {
    for (const c of checks) {
      const decision = await decide(tf, statements, c.action, c.resource);
      const ok = c.expected === 'Denied' ? decision !== 'Allowed' : decision === c.expected;
      if (c.expected === 'Denied') denied++;
      else allowed++;
      if (!ok) failed.push(`${stackName} ${role} (${c.what}): ${c.action} on ${c.resource} is ${decision}, expected ${c.expected}`);
    }
  }
  return { failed, allowed, denied };
}

test('every role allows what its mappings, function and destination need, and denies what they must not do', async () => {
  const rows: string[] = [];
  const all: string[] = [];
  for (const stack of REAL) {
    const { failed, allowed, denied } = await failures(stack.tf, stack.name);
    rows.push(`  ${stack.name.padEnd(48)} ${String(allowed).padStart(4)} allowed ${String(denied).padStart(4)} denied`);
    assert.ok(allowed > 0 && denied > 0, `${stack.name}: something was simulated`);
    all.push(...failed);
  }
  console.log(`\nIAM simulation (@cloud-copilot/iam-simulate) on sample ARNs of cluster ${SAMPLE_CLUSTER_ARN}:\n${rows.join('\n')}`);
  assert.equal(all, [], all.join('\n'));
});

test('the checks cover every Kafka ESM, the SQS ESM and every destination kind', () => {
  const esms = REAL.flatMap((s) => kafkaEsms(s.tf));
  assert.is(esms.length, LABS.length + 3);
  const checks = REAL.flatMap((s) => stackChecks(s.tf).flatMap((r) => r.checks));
  assert.ok(checks.some((c) => c.what === 'SQS ESM'));
  assert.ok(checks.some((c) => c.what === 'destination' && c.action === 'sqs:SendMessage'));
  assert.ok(checks.some((c) => c.what === 'destination' && c.action === 'kafka-cluster:WriteData'));
  assert.ok(checks.some((c) => c.what === 'destination' && c.action === 'sns:Publish'));
  assert.ok(checks.some((c) => c.what === 'destination' && c.action === 's3:PutObject'));
  assert.ok(checks.some((c) => c.what === 'producer') && checks.some((c) => c.what === 'topic-admin') && checks.some((c) => c.what === 'forwarder'));
  assert.ok(checks.some((c) => c.what === 'schema registry' && c.action === 'glue:GetRegistry'));
});

test("the producer of an app with a schema registry lab may look up the booking schema's versions in the participant's registry only", async () => {
  const base = schemaRegistryBase();
  const { failed, allowed, denied } = await failures(base.tf, base.name);
  assert.equal(failed, [], failed.join('\n'));
  const glue = stackChecks(base.tf).flatMap((r) => r.checks.filter((c) => c.action.startsWith('glue:')));
  assert.is(glue.length, 7);
  assert.ok(allowed > 0 && denied > 0);
});

test('broken: GetSchemaVersion on the registry alone denies the mapping the versions of its schemas', async () => {
  const name = REAL.find((s) => kafkaEsms(s.tf).some((e) => e.block.amazon_managed_kafka_event_source_config?.schema_registry_config))!.name;
  const tf = structuredClone(REAL.find((s) => s.name === name)!.tf);
  for (const doc of Object.values(tf.data!.aws_iam_policy_document) as any[]) {
    const versions = doc.statement?.find((s: any) => s.sid === 'SchemaVersionsRead');
    if (versions) versions.resources = versions.resources.slice(0, 1);
  }
  const failed = (await failures(tf, name)).failed;
  assert.is(failed.length, 1, failed.join('\n'));
  assert.match(
    failed[0],
    /glue:GetSchemaVersion on arn:aws:glue:eu-west-1:123456789012:schema\/klw-booking-schemas\/bookings-value is ImplicitlyDenied, expected Allowed/,
  );
});

/** Lab 1's real stack with its role policy changed. */
async function brokenLab1(mutate: (statements: any[]) => void): Promise<string[]> {
  const tf = structuredClone(REAL.find((s) => s.name === 'lab-01-baseline')!.tf);
  const doc = Object.entries(tf.data!.aws_iam_policy_document).find(([id]) => /_policy_[0-9A-F]{8}$/.test(id))![1];
  mutate(doc.statement);
  return (await failures(tf, 'lab-01-baseline')).failed;
}

test('broken: GetBootstrapBrokers on the cluster ARN (what the stacks had) is denied to the ESM', async () => {
  const failed = await brokenLab1((st) => {
    const bootstrap = st.find((s: any) => s.sid === 'MskBootstrapBrokers');
    bootstrap.resources = st.find((s: any) => s.sid === 'MskDescribeCluster').resources;
  });
  assert.equal(failed, [expect('kafka:GetBootstrapBrokers on * is ImplicitlyDenied, expected Allowed')]);
});

test('broken: a group policy naming one group denies the group the ESM names itself', async () => {
  const failed = await brokenLab1((st) => {
    const group = st.find((s: any) => s.sid === 'KafkaConsumerGroup');
    group.resources = [group.resources[0].replace(/\/\*$/, '/bookings-workers')];
  });
  assert.is(failed.length, 2, failed.join('\n'));
  assert.match(failed[0], new RegExp(`kafka-cluster:DescribeGroup on .*:group/klw-cluster/.*/${ESM_MADE_GROUP} is ImplicitlyDenied, expected Allowed`));
});

test('broken: a topic statement widened to every topic lets the ESM read what it must not', async () => {
  const failed = await brokenLab1((st) => {
    const read = st.find((s: any) => s.sid === 'KafkaReadTopic');
    read.resources = [read.resources[0].replace(/\/bookings$/, '/*')];
  });
  assert.equal(failed, [expect(`kafka-cluster:ReadData on ${topicArn('payments')} is Allowed, expected Denied`)]);
});

function expect(tail: string): string {
  const role = esmRoleStatements(REAL.find((s) => s.name === 'lab-01-baseline')!.tf, kafkaEsms(REAL.find((s) => s.name === 'lab-01-baseline')!.tf)[0]).role;
  return `lab-01-baseline ${role} (ESM): ${tail}`;
}

test.run();
