// Least privilege and closed networking across every stack: IAM actions as the AWS pages list
// them (with-msk-permissions.html, with-sqs.html), no wildcard on Kafka/MSK/SQS/logs, security groups open only to themselves, log groups
// with a retention.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Testing } from '../../modules/cdk-terrain.ts';
import { actionsOf, dataSources, policyOf, resources, roleStatements, synthWorkshop } from './synth-once.ts';

const synthed = synthWorkshop();
const lab = (id: string) => synthed.labs.get(id)!;

const EC2_ENI_ACTIONS = [
  'ec2:AssignPrivateIpAddresses',
  'ec2:CreateNetworkInterface',
  'ec2:DeleteNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSecurityGroups',
  'ec2:DescribeSubnets',
  'ec2:DescribeVpcs',
  'ec2:UnassignPrivateIpAddresses',
];

test('no statement anywhere grants "*" or "<service>:*" actions', () => {
  for (const stack of synthed.all) {
    for (const s of roleStatements(stack.tf)) {
      for (const action of s.actions) assert.ok(action !== '*' && !action.endsWith(':*'), `${stack.name} ${s.sid}: ${action}`);
      assert.is(s.effect, 'Allow');
    }
  }
});

test('"*" resources appear only with EC2 network-interface actions and kafka:GetBootstrapBrokers (wildcard-only), never with kafka-cluster, sqs or logs', () => {
  let wildcardStatements = 0;
  for (const stack of synthed.all) {
    for (const s of roleStatements(stack.tf)) {
      if (!s.resources.includes('*')) continue;
      wildcardStatements++;
      assert.equal(s.resources, ['*'], `${stack.name} ${s.sid}: "*" stands alone`);
      for (const action of s.actions) {
        assert.ok(action.startsWith('ec2:') || action === 'kafka:GetBootstrapBrokers', `${stack.name} ${s.sid}: ${action} on "*"`);
        assert.not.ok(/^(kafka-cluster|sqs|logs):/.test(action));
      }
    }
  }
  assert.ok(wildcardStatements > 0, 'the VPC functions carry the network-interface statement');
});

test('the Kafka consumer role carries exactly the actions AWS lists for an MSK event source, each scoped', () => {
  const statements = policyOf(lab('01-baseline').tf, 'booking-processor/function');
  assert.equal(
    actionsOf(statements),
    [
      'kafka-cluster:AlterGroup',
      'kafka-cluster:Connect',
      'kafka-cluster:DescribeClusterDynamicConfiguration',
      'kafka-cluster:DescribeGroup',
      'kafka-cluster:DescribeTopic',
      'kafka-cluster:ReadData',
      'kafka:DescribeClusterV2',
      'kafka:GetBootstrapBrokers',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      ...EC2_ENI_ACTIONS,
    ].sort(),
  );
  const bySid = Object.fromEntries(statements.map((s) => [s.sid, s]));
  const clusterArn = bySid.KafkaClusterConnect.resources[0];
  assert.match(clusterArn, /^\$\{data\.terraform_remote_state\.base_state_\w+\.outputs\.cluster_arn\}$/);
  assert.equal(bySid.MskDescribeCluster.resources, [clusterArn]);
  assert.equal(bySid.MskBootstrapBrokers.resources, ['*'], 'wildcard-only: on the cluster ARN it would grant nothing');
  const arnExpr = clusterArn.slice(2, -1);
  assert.equal(bySid.KafkaReadTopic.resources, [`\${replace(${arnExpr}, ":cluster/", ":topic/")}/bookings`]);
  assert.equal(bySid.KafkaConsumerGroup.resources, [`\${replace(${arnExpr}, ":cluster/", ":group/")}/*`]);
  assert.equal(bySid.VpcNetworkInterfaces.resources, ['*'], 'the ESM places its pollers in the cluster VPC with this role');
  assert.match(bySid.OwnLogGroup.resources[0], /^\$\{aws_cloudwatch_log_group\.booking-processor_function_logs_\w+\.arn\}:\*$/);
});

test('the base functions: producer writes, topic-admin creates, both only on the workshop topics', () => {
  const producer = policyOf(synthed.base.tf, 'load-generator/producer');
  assert.equal(
    actionsOf(producer),
    [
      // Lab 5's Avro bookings: the version of the booking schema, and version 2 halfway through.
      'glue:GetSchemaVersion',
      'glue:RegisterSchemaVersion',
      'kafka-cluster:Connect',
      'kafka-cluster:DescribeTopic',
      'kafka-cluster:WriteData',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      ...EC2_ENI_ACTIONS,
    ].sort(),
  );
  const glue = producer.find((s) => s.actions.includes('glue:RegisterSchemaVersion'))!;
  assert.ok(
    glue.resources.every((r) => r.includes(':registry/') || r.includes(':schema/')),
    `the Glue grant names the workshop's registry and its schemas only: ${glue.resources.join(', ')}`,
  );
  const write = producer.find((s) => s.actions.includes('kafka-cluster:WriteData'))!;
  assert.is(write.resources.length, 1);
  assert.match(write.resources[0], /^\$\{replace\(aws_msk_serverless_cluster\.kafka_serverless_\w+\.arn, ":cluster\/", ":topic\/"\)\}\/bookings$/);
  const admin = policyOf(synthed.base.tf, 'load-generator/topic-admin');
  assert.equal(
    actionsOf(admin),
    [
      'kafka-cluster:Connect',
      'kafka-cluster:CreateTopic',
      'kafka-cluster:DescribeTopic',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      ...EC2_ENI_ACTIONS,
    ].sort(),
  );
});

test('security groups: no inline rules, no CIDR ingress, Kafka 9098 only within the workload group, 443 only from it', () => {
  for (const stack of synthed.all) {
    for (const sg of resources(stack.tf, 'aws_security_group')) {
      assert.not.ok('ingress' in sg, `${sg.name} has no inline ingress`);
      assert.not.ok('egress' in sg, `${sg.name} has no inline egress`);
    }
    for (const rule of resources(stack.tf, 'aws_vpc_security_group_ingress_rule')) {
      assert.not.ok('cidr_ipv4' in rule || 'cidr_ipv6' in rule || 'prefix_list_id' in rule, `${stack.name}: ${rule.description} is open to addresses`);
      assert.ok(rule.referenced_security_group_id, 'ingress only from a security group');
    }
  }
  const json = JSON.stringify(synthed.all.map((s) => s.tf));
  assert.not.ok(json.includes('0.0.0.0/0'), 'no rule anywhere mentions 0.0.0.0/0');
  const ingress = resources(synthed.base.tf, 'aws_vpc_security_group_ingress_rule');
  const kafka = ingress.find((r) => r.from_port === 9098)!;
  assert.is(kafka.to_port, 9098);
  assert.is(kafka.referenced_security_group_id, kafka.security_group_id, 'self-referencing');
  const https = ingress.find((r) => r.from_port === 443)!;
  assert.is(https.to_port, 443);
  assert.is.not(https.referenced_security_group_id, https.security_group_id, 'endpoints accept HTTPS from the workload group');
  assert.is(ingress.length, 2);
});

test('every Lambda function has its own log group with a 7-day retention', () => {
  let functions = 0;
  for (const stack of synthed.all) {
    const groups = resources(stack.tf, 'aws_cloudwatch_log_group');
    for (const fn of resources(stack.tf, 'aws_lambda_function')) {
      functions++;
      const group = groups.find((g) => g.name === `/aws/lambda/${fn.function_name}`);
      assert.ok(group, `${fn.function_name} has a log group`);
      assert.is(group!.retention_in_days, 7);
      assert.ok(
        fn.depends_on.some((d: string) => d.startsWith('aws_cloudwatch_log_group.')),
        'created before the function logs',
      );
    }
    assert.is(groups.length, resources(stack.tf, 'aws_lambda_function').length);
  }
  // base: producer and topic admin; labs 1, 2, 4 and 5: the processor; lab 3: forwarder and processor.
  assert.is(functions, 2 + 1 + 1 + 2 + 1 + 1);
});

test('base: MSK Serverless with IAM auth, private subnets in up to 3 AZs, Lambda and STS endpoints, no NAT', () => {
  const base = synthed.base;
  assert.ok(Testing.toHaveResourceWithProperties(base.json, 'aws_msk_serverless_cluster', { client_authentication: { sasl: { iam: { enabled: true } } } }));
  // One counted subnet resource, one per zone (test/stacks/availability-zones.test.ts).
  assert.match(resources(base.tf, 'aws_subnet')[0].count, /^\$\{min\(3, length\(data\.aws_availability_zones\.\w+\.names\)\)\}$/);
  for (const subnet of resources(base.tf, 'aws_subnet')) assert.is(subnet.map_public_ip_on_launch, false);
  const endpoints = resources(base.tf, 'aws_vpc_endpoint')
    .map((e) => e.service_name)
    .sort();
  assert.equal(endpoints, ['com.amazonaws.eu-west-1.lambda', 'com.amazonaws.eu-west-1.sts']);
  for (const type of ['aws_nat_gateway', 'aws_internet_gateway', 'aws_eip']) assert.is(resources(base.tf, type).length, 0, `no ${type}`);
  const [azs] = dataSources(base.tf, 'aws_availability_zones');
  assert.equal(azs.exclude_zone_ids, ['use1-az3']);
  // Without it an account opted in to a Local Zone could get a subnet (and an MSK broker) there.
  assert.equal(azs.filter, [{ name: 'opt-in-status', values: ['opt-in-not-required'] }], 'Availability Zones only, no Local or Wavelength Zones');
});

test('base: topic-admin creates the shared topic at deploy time, after the network rules', () => {
  const [invocation] = resources(synthed.base.tf, 'aws_lambda_invocation');
  assert.is(invocation.input, '${jsonencode({"topic" = "bookings", "partitions" = 12, "replicationFactor" = 3})}');
  assert.match(invocation.function_name, /topic-admin/);
  const deps: string[] = invocation.depends_on;
  assert.ok(deps.some((d) => d.startsWith('aws_vpc_security_group_ingress_rule.')));
  assert.ok(deps.some((d) => d.startsWith('aws_vpc_endpoint.')));
  const producer = resources(synthed.base.tf, 'aws_lambda_function').find((f) => f.function_name === 'klw-producer')!;
  assert.equal(Object.keys(producer.vpc_config).sort(), ['security_group_ids', 'subnet_ids']);
  assert.is(producer.environment.variables.KAFKA_AUTH, 'iam');
  assert.is(producer.environment.variables.TOPIC_NAME, 'bookings');
});

test('base: the dashboard shows the talk widgets plus offset lag and concurrency', () => {
  const [dashboard] = resources(synthed.base.tf, 'aws_cloudwatch_dashboard');
  const body = JSON.parse(dashboard.dashboard_body);
  const expressions: string[] = body.widgets.flatMap((w: any) => (w.properties.metrics ?? []).map((m: any) => m[0].expression));
  for (const metric of ['EndToEndDuration', 'EventsPublished', 'BatchSize', 'EventsProcessed', 'OffsetLag', 'ConcurrentExecutions']) {
    assert.ok(
      expressions.some((e) => e.includes(`MetricName="${metric}"`)),
      metric,
    );
  }
  for (const stat of ['Average', 'Maximum', 'Minimum']) {
    assert.ok(
      expressions.some((e) => e.includes('EndToEndDuration') && e.includes(`'${stat}'`)),
      `EndToEndDuration ${stat}`,
    );
  }
  assert.ok(expressions.some((e) => e.includes('BatchSize') && e.includes("'Average'")));
  for (const w of body.widgets) if (w.type === 'metric') assert.is(w.properties.region, 'eu-west-1');
});

test.run();
