// Each construct on its own, synthesized in a throwaway stack.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KAFKA_ESM_METRICS } from '../../labs/esm-metrics.ts';
import type { LabSpec } from '../../labs/lab-spec-types.ts';
import { App, type Construct, TerraformOutput, Testing } from '../../modules/cdk-terrain.ts';
import { dashboardBody } from '../../modules/dashboard.ts';
import { WorkshopFunction } from '../../modules/function.ts';
import { assertScoped, NETWORK_INTERFACE_STATEMENT } from '../../modules/iam.ts';
import { ClusterRef, KafkaCluster } from '../../modules/kafka-cluster.ts';
import { KafkaConsumer } from '../../modules/kafka-consumer.ts';
import { PREFIX_CONTEXT, resourceName } from '../../modules/names.ts';
import { Network } from '../../modules/network.ts';
import { SqsBuffer } from '../../modules/sqs-buffer.ts';

type Block = Record<string, any>;
function synth(fn: (scope: Construct) => void): {
  json: string;
  tf: { resource: Record<string, Record<string, Block>>; data?: Record<string, Record<string, Block>> };
} {
  const json = Testing.synthScope(fn);
  return { json, tf: JSON.parse(json) };
}
const all = (tf: { resource: Record<string, Record<string, Block>> }, type: string): Block[] => Object.values(tf.resource[type] ?? {});
const statementsOf = (tf: { data?: Record<string, Record<string, Block>> }) =>
  Object.entries(tf.data?.aws_iam_policy_document ?? {})
    .filter(([id]) => !id.includes('assume-role'))
    .flatMap(([, d]) => d.statement as { sid: string; actions: string[]; resources: string[] }[]);

const CLUSTER_ARN = 'arn:aws:kafka:eu-west-1:123456789012:cluster/klw-cluster/0f1e2d3c-aaaa-bbbb-cccc-123456789abc-s2';

test('ClusterRef builds topic and group ARNs from the cluster ARN', () => {
  const ref = new ClusterRef(CLUSTER_ARN);
  const resolve = (value: string) => JSON.parse(Testing.synthScope((scope) => new TerraformOutput(scope, 'arn', { value }))).output.arn.value as string;
  assert.is(resolve(ref.topicArn('bookings')), '${replace("' + CLUSTER_ARN + '", ":cluster/", ":topic/")}/bookings');
  assert.is(resolve(ref.groupArn('g1')), '${replace("' + CLUSTER_ARN + '", ":cluster/", ":group/")}/g1');
  assert.is(resolve(ref.groupArn()), '${replace("' + CLUSTER_ARN + '", ":cluster/", ":group/")}/*');
});

test('assertScoped refuses wildcards on Kafka, MSK, SQS and logs, and "*" actions anywhere', () => {
  assert.throws(() => assertScoped({ sid: 'A', actions: ['kafka-cluster:ReadData'], resources: ['*'] }), /grants kafka-cluster:ReadData on "\*"/);
  assert.throws(() => assertScoped({ sid: 'B', actions: ['sqs:SendMessage', 'ec2:DescribeVpcs'], resources: ['*'] }), /sqs:SendMessage on "\*"/);
  assert.throws(() => assertScoped({ sid: 'C', actions: ['*'], resources: ['arn:aws:sqs:eu-west-1:1:q'] }), /grants "\*"/);
  assert.throws(() => assertScoped({ sid: 'D', actions: ['kafka:*'], resources: ['arn'] }), /grants "kafka:\*"/);
  assert.throws(() => assertScoped({ sid: 'E', actions: [], resources: ['arn'] }), /has no actions/);
  assert.ok(assertScoped(NETWORK_INTERFACE_STATEMENT));
  assert.ok(NETWORK_INTERFACE_STATEMENT.actions.every((a) => a.startsWith('ec2:')));
});

test("resourceName begins with the app's participant prefix (klw outside an app that sets one) and keeps within 64 characters", () => {
  const plain = Testing.app();
  assert.is(resourceName(plain, '01-baseline'), 'klw-01-baseline');
  const ana = new App({ context: { [PREFIX_CONTEXT]: 'ana2' } });
  assert.is(resourceName(ana, '01-baseline'), 'ana2-01-baseline');
  assert.throws(() => resourceName(plain, 'x'.repeat(70)), /at most 64.*WORKSHOP_PREFIX/);
  assert.throws(() => resourceName(new App({ context: { [PREFIX_CONTEXT]: 'Ana' } }), 'x'), /WORKSHOP_PREFIX="Ana" cannot begin AWS resource names/);
});

test('Network: one private subnet per Availability Zone (at most 3), closed security groups, Lambda and STS endpoints', () => {
  const { tf } = synth((scope) => new Network(scope, 'net', { region: 'eu-central-1' }));
  const [subnet, ...others] = all(tf, 'aws_subnet');
  assert.is(others.length, 0, 'one counted subnet resource');
  const zones = `data.aws_availability_zones.${Object.keys(tf.data?.aws_availability_zones ?? {})[0]}.names`;
  assert.is(subnet.count, `\${min(3, length(${zones}))}`);
  assert.is(subnet.availability_zone, `\${element(${zones}, count.index)}`);
  assert.is(subnet.cidr_block, '${cidrsubnet("10.40.0.0/16", 4, count.index)}');
  assert.equal(
    all(tf, 'aws_vpc_endpoint').map((e) => e.service_name),
    ['com.amazonaws.eu-central-1.lambda', 'com.amazonaws.eu-central-1.sts'],
  );
  for (const rule of [...all(tf, 'aws_vpc_security_group_ingress_rule'), ...all(tf, 'aws_vpc_security_group_egress_rule')]) {
    assert.ok(rule.referenced_security_group_id, `${rule.description}: group-to-group only`);
    assert.not.ok('cidr_ipv4' in rule);
  }
  assert.equal(all(tf, 'aws_vpc')[0].enable_dns_hostnames, true);
});

test('KafkaCluster provisioned: IAM auth only, TLS in transit, one broker per subnet, one replica per broker', () => {
  const { json } = synth((scope) => {
    const cluster = new KafkaCluster(scope, 'kafka', { mode: 'provisioned', subnetIds: ['a', 'b', 'c'], securityGroupIds: ['sg'] });
    new TerraformOutput(scope, 'replication', { value: cluster.topicReplicationFactor });
  });
  assert.is(JSON.parse(json).output.replication.value, '${length(["a", "b", "c"])}', 'the replication factor is the broker count');
  assert.ok(
    Testing.toHaveResourceWithProperties(json, 'aws_msk_cluster', {
      cluster_name: 'klw-cluster',
      number_of_broker_nodes: '${length(["a", "b", "c"])}',
      client_authentication: { sasl: { iam: true }, unauthenticated: false },
      encryption_info: { encryption_in_transit: { client_broker: 'TLS', in_cluster: true } },
      broker_node_group_info: { client_subnets: ['a', 'b', 'c'], security_groups: ['sg'], instance_type: 'kafka.t3.small' },
    }),
  );
  assert.not.ok(Testing.toHaveResource(json, 'aws_msk_serverless_cluster'));
});

test('KafkaCluster default: MSK Serverless with IAM client auth, topics with 3 replicas', () => {
  let cluster: KafkaCluster | undefined;
  const { json } = synth((scope) => {
    cluster = new KafkaCluster(scope, 'kafka', { subnetIds: ['a', 'b'], securityGroupIds: ['sg'] });
  });
  assert.is(cluster!.topicReplicationFactor, 3);
  assert.ok(
    Testing.toHaveResourceWithProperties(json, 'aws_msk_serverless_cluster', {
      client_authentication: { sasl: { iam: { enabled: true } } },
      vpc_config: [{ subnet_ids: ['a', 'b'], security_group_ids: ['sg'] }],
    }),
  );
});

test('WorkshopFunction: nodejs22.x arm64 zip, log group retention, reserved concurrency, VPC, least privilege', () => {
  const { json, tf } = synth(
    (scope) =>
      new WorkshopFunction(scope, 'fn', {
        handler: 'booking-processor',
        functionName: 'klw-test-processor',
        description: 'test',
        memoryMb: 256,
        timeoutSeconds: 30,
        reservedConcurrency: 5,
        environment: { LAB_ID: 'x' },
        statements: [{ sid: 'Q', actions: ['sqs:SendMessage'], resources: ['arn:aws:sqs:eu-west-1:1:q'] }],
        vpc: { subnetIds: ['s1'], securityGroupIds: ['sg1'] },
        logRetentionDays: 3,
      }),
  );
  const [fn] = all(tf, 'aws_lambda_function');
  assert.is(fn.runtime, 'nodejs22.x');
  assert.equal(fn.architectures, ['arm64']);
  assert.is(fn.handler, 'index.handler');
  assert.match(fn.filename, /^assets\/fn_code_\w+\/[0-9a-f]{64}\/archive\.zip$/);
  assert.is(fn.source_code_hash, `\${filebase64sha256("${fn.filename}")}`);
  assert.is(fn.reserved_concurrent_executions, 5);
  assert.is(fn.memory_size, 256);
  assert.is(fn.timeout, 30);
  assert.equal(fn.vpc_config, { subnet_ids: ['s1'], security_group_ids: ['sg1'] });
  assert.ok(Testing.toHaveResourceWithProperties(json, 'aws_cloudwatch_log_group', { name: '/aws/lambda/klw-test-processor', retention_in_days: 3 }));
  assert.equal(
    statementsOf(tf).map((s) => s.sid),
    ['OwnLogGroup', 'Q', 'VpcNetworkInterfaces'],
  );
});

test('WorkshopFunction without reserved concurrency or VPC leaves both out', () => {
  const { tf } = synth(
    (scope) =>
      new WorkshopFunction(scope, 'fn', {
        handler: 'sqs-processor',
        functionName: 'klw-t',
        description: 't',
        memoryMb: 128,
        timeoutSeconds: 3,
        environment: {},
        statements: [],
      }),
  );
  const [fn] = all(tf, 'aws_lambda_function');
  assert.not.ok('reserved_concurrent_executions' in fn);
  assert.not.ok('vpc_config' in fn);
  assert.is(all(tf, 'aws_cloudwatch_log_group')[0].retention_in_days, 7);
  assert.equal(
    statementsOf(tf).map((s) => s.sid),
    ['OwnLogGroup'],
  );
});

const esm: LabSpec['kafkaEsm'] = {
  batchSize: 20,
  startingPosition: 'LATEST',
  consumerGroupId: 'bookings-workers',
  provisionedPollers: { minimum: 1, maximum: 1 },
  filters: [],
  onFailure: { kind: 'sqs', queueName: 'bookings-failed' },
};
const consumer = (scope: Construct, kafkaEsm: LabSpec['kafkaEsm']) =>
  new KafkaConsumer(scope, 'consumer', {
    handler: 'booking-processor',
    functionName: 'klw-t-booking-processor',
    description: 't',
    topic: 'bookings',
    esm: kafkaEsm,
    cluster: new ClusterRef(CLUSTER_ARN),
    memoryMb: 128,
    timeoutSeconds: 10,
    environment: {},
  });

test('KafkaConsumer: a named group scopes the group ARN; the SQS destination is created here with SSE', () => {
  const { tf } = synth((scope) => consumer(scope, esm));
  const [mapping] = all(tf, 'aws_lambda_event_source_mapping');
  assert.match(mapping.destination_config.on_failure.destination_arn, /^\$\{aws_sqs_queue\.consumer_on-failure_\w+\.arn\}$/);
  assert.equal(mapping.amazon_managed_kafka_event_source_config, { consumer_group_id: 'bookings-workers' });
  assert.is(mapping.event_source_arn, CLUSTER_ARN);
  const [queue] = all(tf, 'aws_sqs_queue');
  assert.equal([queue.name, queue.sqs_managed_sse_enabled, queue.message_retention_seconds], ['klw-bookings-failed', true, 1209600]);
  const statements = statementsOf(tf);
  const group = statements.find((s) => s.sid === 'KafkaConsumerGroup')!;
  assert.equal(group.resources, ['${replace("' + CLUSTER_ARN + '", ":cluster/", ":group/")}/bookings-workers']);
  const [fn] = all(tf, 'aws_lambda_function');
  assert.not.ok('vpc_config' in fn, 'the function is outside the VPC...');
  assert.ok(
    statements.some((s) => s.sid === 'VpcNetworkInterfaces'),
    '...but its ESM creates ENIs in the cluster VPC with its role',
  );
});

test('KafkaConsumer: a kafka:// destination is passed as is, and the role may write to that topic only', () => {
  const { tf } = synth((scope) => consumer(scope, { ...esm, onFailure: { kind: 'kafka', topic: 'bookings-dlq' } }));
  const [mapping] = all(tf, 'aws_lambda_event_source_mapping');
  assert.equal(mapping.destination_config, { on_failure: { destination_arn: 'kafka://bookings-dlq' } });
  assert.equal(all(tf, 'aws_sqs_queue'), [], 'no queue for a Kafka destination');
  const write = statementsOf(tf).find((s) => s.sid === 'OnFailureTopic')!;
  assert.equal(write.actions, ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData']);
  assert.equal(write.resources, ['${replace("' + CLUSTER_ARN + '", ":cluster/", ":topic/")}/bookings-dlq']);
});

test('KafkaConsumer: an SNS destination is a topic with a raw-delivery queue subscribed (what the harness reads), and the role may publish to it only', () => {
  const { tf } = synth((scope) => consumer(scope, { ...esm, onFailure: { kind: 'sns', topicName: 'bookings-failed' } }));
  const [mapping] = all(tf, 'aws_lambda_event_source_mapping');
  assert.match(mapping.destination_config.on_failure.destination_arn, /^\$\{aws_sns_topic\.consumer_on-failure-topic_\w+\.arn\}$/);
  const [topic] = all(tf, 'aws_sns_topic');
  assert.equal([topic.name, topic.kms_master_key_id], ['klw-bookings-failed', 'alias/aws/sns']);
  const [subscription] = all(tf, 'aws_sns_topic_subscription');
  assert.equal([subscription.protocol, subscription.raw_message_delivery], ['sqs', true]);
  assert.equal(
    all(tf, 'aws_sqs_queue').map((q) => q.name),
    ['klw-bookings-failed-subscription'],
  );
  const queuePolicy = JSON.parse(all(tf, 'aws_sqs_queue_policy')[0].policy);
  assert.equal(queuePolicy.Statement[0].Principal, { Service: 'sns.amazonaws.com' });
  assert.match(JSON.stringify(queuePolicy.Statement[0].Condition), /aws_sns_topic/);
  const publish = statementsOf(tf).find((s) => s.sid === 'OnFailureTopic')!;
  assert.equal(publish.actions, ['sns:Publish']);
});

test('KafkaConsumer: an S3 destination is a private bucket with a unique name, and the role may put objects and list it only', () => {
  const { tf } = synth((scope) => consumer(scope, { ...esm, onFailure: { kind: 's3', bucketName: 'bookings-failed' } }));
  const [mapping] = all(tf, 'aws_lambda_event_source_mapping');
  assert.match(mapping.destination_config.on_failure.destination_arn, /^\$\{aws_s3_bucket\.consumer_on-failure-bucket_\w+\.arn\}$/);
  const [bucket] = all(tf, 'aws_s3_bucket');
  assert.equal([bucket.bucket_prefix, bucket.force_destroy], ['klw-bookings-failed-', true]);
  const [block] = all(tf, 'aws_s3_bucket_public_access_block');
  assert.equal([block.block_public_acls, block.block_public_policy, block.ignore_public_acls, block.restrict_public_buckets], [true, true, true, true]);
  const statements = statementsOf(tf);
  assert.equal(statements.find((s) => s.sid === 'OnFailureBucketWrite')!.actions, ['s3:PutObject']);
  assert.match(statements.find((s) => s.sid === 'OnFailureBucketWrite')!.resources[0], /\.arn\}\/\*$/);
  assert.equal(statements.find((s) => s.sid === 'OnFailureBucketList')!.actions, ['s3:ListBucket']);
});

test('SqsBuffer: SQS provisioned pollers pass through to the SQS ESM', () => {
  const { tf } = synth(
    (scope) =>
      new SqsBuffer(scope, 'buffer', {
        namePrefix: 'klw-t',
        topic: 'bookings',
        kafkaEsm: { batchSize: 100, startingPosition: 'LATEST', filters: [] },
        buffer: { batchSize: 10, provisionedPollers: { minimum: 2, maximum: 10 }, visibilityTimeoutSeconds: 60, maxReceiveCount: 2 },
        processor: { processingMsPerRecord: 1, workKind: 'io', mode: 'sequential', memoryMb: 128, timeoutSeconds: 10 },
        cluster: new ClusterRef(CLUSTER_ARN),
        environment: { LAB_ID: 't' },
        processorEnvironment: {},
      }),
  );
  const sqs = all(tf, 'aws_lambda_event_source_mapping').find((e) => !e.topics)!;
  assert.equal(sqs.provisioned_poller_config, { minimum_pollers: 2, maximum_pollers: 10 });
  assert.not.ok('scaling_config' in sqs);
  assert.equal(
    all(tf, 'aws_sqs_queue')
      .map((q) => q.name)
      .sort(),
    ['klw-t-buffer', 'klw-t-buffer-dlq'],
  );
  const allow = JSON.parse(all(tf, 'aws_sqs_queue_redrive_allow_policy')[0].redrive_allow_policy);
  assert.is(allow.redrivePermission, 'byQueue');
});

test('dashboard body: the talk widgets, per lab, in the stack region', () => {
  const body = dashboardBody({ region: 'ap-southeast-2', namespace: 'KafkaLambdaWorkshop', prefix: 'klw', period: 60 });
  const titles = body.widgets.map((w) => w.properties.title).filter(Boolean);
  assert.equal(titles, [
    'EndToEndDuration (ms): average, maximum, minimum',
    'EventsPublished (per period)',
    'BatchSize: average messages in batch',
    'EventsProcessed (per period)',
    'OffsetLag (records behind, per ESM)',
    'ConcurrentExecutions per function',
    'EventsFailed and SendDelay',
    'ESM EventCount metrics (per period, per mapping)',
    'ESM ErrorCount metrics (only when an error happened)',
    'ESM KafkaMetrics: MaxOffsetLag, SumOffsetLag',
  ]);
  const esmLines = body.widgets.slice(-3).flatMap((w) => (w.properties.metrics as { expression: string; label: string }[][]).map((m) => m[0]));
  assert.equal(
    esmLines.map((m) => m.label),
    [...Object.values(KAFKA_ESM_METRICS).flat()],
    'every ESM metric a Kafka mapping can publish, under its AWS name',
  );
  assert.is(
    esmLines.find((m) => m.label === 'MaxOffsetLag')!.expression,
    `SEARCH('{AWS/Lambda,EventSourceMappingUUID} MetricName="MaxOffsetLag"', 'Maximum', 60)`,
  );
  assert.is(
    esmLines.find((m) => m.label === 'PolledEventCount')!.expression,
    `SEARCH('{AWS/Lambda,EventSourceMappingUUID} MetricName="PolledEventCount"', 'Sum', 60)`,
  );
  const first = (body.widgets[1].properties.metrics as { expression: string }[][])[0][0];
  assert.is(first.expression, `SEARCH('{KafkaLambdaWorkshop,Lab,service} MetricName="EndToEndDuration"', 'Average', 60)`);
  const published = (body.widgets[2].properties.metrics as { expression: string }[][])[0][0];
  assert.is(published.expression, `SEARCH('{KafkaLambdaWorkshop,service} MetricName="EventsPublished"', 'Sum', 60)`, 'the producer writes no Lab');
  const lag = (body.widgets[5].properties.metrics as { expression: string }[][])[0][0];
  assert.is(lag.expression, `SEARCH('MetricName="OffsetLag" klw', 'Maximum', 60)`);
  const ids = body.widgets.flatMap((w) => ((w.properties.metrics as { id: string }[][] | undefined) ?? []).map((m) => m[0].id));
  for (const id of ids) assert.match(id, /^[a-z][a-zA-Z0-9_]*$/, 'CloudWatch expression ids start with a lowercase letter');
});

test("a participant's dashboard searches their own namespace (quoted: it has a slash) and their own functions", () => {
  const body = dashboardBody({ region: 'eu-west-1', namespace: 'KafkaLambdaWorkshop/ana2', prefix: 'ana2', period: 60 });
  const line = (widget: number) => (body.widgets[widget].properties.metrics as { expression: string }[][])[0][0].expression;
  assert.is(line(1), `SEARCH('{"KafkaLambdaWorkshop/ana2",Lab,service} MetricName="EndToEndDuration"', 'Average', 60)`);
  assert.is(line(5), `SEARCH('MetricName="OffsetLag" ana2', 'Maximum', 60)`);
  assert.is(line(6), `SEARCH('{AWS/Lambda,FunctionName} MetricName="ConcurrentExecutions" ana2', 'Maximum', 60)`);
});

test.run();
