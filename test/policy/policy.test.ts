// Infrastructure policy ("Reliability and security", item 4): every rule of rules.ts against the
// synthesized JSON of the base stack (serverless, and the provisioned-cluster variant) and of every
// lab stack, which must hold no violation; then, per rule, a deliberately broken stack (a tiny
// cdktf stack, or a mutated copy of a real stack) that the rule must reject with a clear message.
//
//   npx tsx test/policy/policy.test.ts

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LABS } from '../../labs/index.ts';
import {
  CloudwatchLogGroup,
  DataAwsIamPolicyDocument,
  Fn,
  IamPolicy,
  IamRole,
  IamRolePolicy,
  IamRolePolicyAttachment,
  LambdaFunction,
  MskCluster,
  MskServerlessCluster,
  SecurityGroup,
  SecurityGroupRule,
  SqsQueue,
  TerraformStack,
  Testing,
  VpcSecurityGroupIngressRule,
} from '../../modules/cdk-terrain.ts';
import { realStacks, schemaRegistryBase } from './real-stacks.ts';
import {
  checkEsmRoleScope,
  checkIamWildcards,
  checkLambdaEnvSecrets,
  checkLambdaLimits,
  checkLogRetention,
  checkMskTlsIam,
  checkOpenIngress,
  checkSqsEncryption,
  esmRoleStatements,
  formatViolation,
  jsonencodeToJson,
  kafkaEsms,
  RULES,
  type RuleId,
  type TfJson,
  type Violation,
  WILDCARD_RESOURCE_ACTIONS,
} from './rules.ts';

// ---------------------------------------------------------------------------------------------
// The real stacks (real-stacks.ts).

const started = Date.now();
const REAL = realStacks();
const synthMs = Date.now() - started;

const show = (violations: Violation[]) => violations.map((v) => formatViolation(v)).join('\n');

test('every rule holds on every real stack (base, base with a provisioned cluster, every lab)', () => {
  const names = REAL.map((s) => s.name);
  assert.equal(
    names,
    [
      'base',
      ...LABS.map((l) => `lab-${l.id}`),
      'base (provisioned cluster)',
      'lab-04-best-practices (kafka:// destination)',
      'lab-04-best-practices (sns destination)',
      'lab-04-best-practices (s3 destination)',
    ],
    'the base, every lab, and lab 4 with every other destination kind are checked',
  );

  const rows: string[] = [];
  const failures: string[] = [];
  for (const rule of RULES) {
    const counts = REAL.map((stack) => rule.subjects(stack.tf).length);
    const total = counts.reduce((a, b) => a + b, 0);
    rows.push(`  ${rule.id.padEnd(19)} ${counts.map((c) => String(c).padStart(5)).join('')}   ${String(total).padStart(5)}  ${rule.title}`);
    assert.ok(total > 0, `${rule.id} examined nothing: a rule that sees nothing proves nothing`);
    for (const stack of REAL) for (const v of rule.check(stack.tf)) failures.push(formatViolation(v, stack.name));
  }
  console.log(`\nPolicy checks over ${REAL.length} synthesized stacks (synth ${synthMs} ms); subjects examined per stack:`);
  console.log(`  ${'rule'.padEnd(19)} ${REAL.map((_, i) => `   S${i + 1}`).join(' ')}   total`);
  for (const row of rows) console.log(row);
  console.log(`  ${REAL.map((s, i) => `S${i + 1} = ${s.name}`).join(', ')}`);
  console.log(`  violations: ${failures.length}`);
  assert.equal(failures, [], `policy violations:\n${failures.join('\n')}`);
});

test("every rule holds on the base stack of an app with a schema registry lab (its producer's Glue grant)", () => {
  const base = schemaRegistryBase();
  const failures = RULES.flatMap((rule) => rule.check(base.tf).map((v) => formatViolation(v, base.name)));
  assert.equal(failures, [], failures.join('\n'));
});

test('the real stacks exercise what the rules are about', () => {
  const count = (rule: RuleId) => REAL.reduce((n, s) => n + RULES.find((r) => r.id === rule)!.subjects(s.tf).length, 0);
  assert.is(count('msk-tls-iam'), 2, 'one serverless and one provisioned cluster');
  assert.is(count('esm-role-scope'), LABS.length + 3, 'one Kafka ESM per lab, lab 4 with a Kafka, an SNS and an S3 destination, and the schema registry lab');
  assert.ok(count('sqs-encryption') >= 3, 'the buffer, its DLQ and the on-failure queue');
  assert.ok(count('log-retention') >= 7 && count('lambda-limits') >= 7);
  // Every Kafka ESM resolves to its function's role, and that role has Kafka statements to judge.
  for (const stack of REAL) {
    for (const esm of kafkaEsms(stack.tf)) {
      const { role, statements, problems } = esmRoleStatements(stack.tf, esm);
      assert.equal(problems, [], `${stack.name} ${esm.address}`);
      assert.match(String(role), /^aws_iam_role\./);
      assert.ok(
        statements.filter((s) => s.actions.some((a) => a.startsWith('kafka-cluster:'))).length >= 3,
        `${stack.name}: cluster, topic and group statements`,
      );
    }
  }
  // The "*" resources that exist are exactly the allow-listed EC2 network-interface actions.
  const onStar = new Set<string>();
  for (const s of REAL) {
    for (const doc of Object.values(s.tf.data?.aws_iam_policy_document ?? {})) {
      for (const st of doc.statement ?? []) if ((st.resources ?? []).includes('*')) for (const a of st.actions) onStar.add(a);
    }
  }
  assert.equal([...onStar].sort(), Object.keys(WILDCARD_RESOURCE_ACTIONS).sort());
});

// ---------------------------------------------------------------------------------------------
// Broken stacks: each rule must fail, and say where and why.

const app = Testing.app();
let stacks = 0;
function broken(build: (stack: TerraformStack) => void): TfJson {
  const stack = new TerraformStack(app, `broken-${++stacks}`);
  build(stack);
  return JSON.parse(Testing.synth(stack)) as TfJson;
}
/** A deep copy of a real stack's JSON, to mutate. */
function copyOf(name: string): TfJson {
  return structuredClone(REAL.find((s) => s.name === name)!.tf);
}
const ROLE = 'arn:aws:iam::123456789012:role/r';

test('open-ingress: 0.0.0.0/0 or ::/0 ingress in any of the three forms fails; egress and group-to-group do not', () => {
  const tf = broken((s) => {
    const sg = new SecurityGroup(s, 'ssh-open', { ingress: [{ fromPort: 22, toPort: 22, protocol: 'tcp', cidrBlocks: ['0.0.0.0/0'] }] });
    new VpcSecurityGroupIngressRule(s, 'v6-open', { securityGroupId: sg.id, ipProtocol: 'tcp', fromPort: 9098, toPort: 9098, cidrIpv6: '::/0' });
    new SecurityGroupRule(s, 'legacy-open', {
      type: 'ingress',
      securityGroupId: sg.id,
      protocol: '-1',
      fromPort: 0,
      toPort: 0,
      cidrBlocks: ['10.0.0.0/8', '0.0.0.0/0'],
    });
    new SecurityGroupRule(s, 'egress-ok', { type: 'egress', securityGroupId: sg.id, protocol: '-1', fromPort: 0, toPort: 0, cidrBlocks: ['0.0.0.0/0'] });
    new VpcSecurityGroupIngressRule(s, 'self-ok', {
      securityGroupId: sg.id,
      referencedSecurityGroupId: sg.id,
      ipProtocol: 'tcp',
      fromPort: 9098,
      toPort: 9098,
    });
  });
  const v = checkOpenIngress(tf);
  assert.equal(
    v.map((x) => x.address).sort(),
    ['aws_security_group.ssh-open', 'aws_security_group_rule.legacy-open', 'aws_vpc_security_group_ingress_rule.v6-open'],
    show(v),
  );
  assert.match(show(v), /aws_security_group\.ssh-open: inline ingress\[0\] \(tcp 22-22\) is open to the internet: cidr_blocks contains 0\.0\.0\.0\/0/);
  assert.match(show(v), /v6-open: ingress \(tcp 9098-9098\) is open to the internet: cidr_ipv6 = ::\/0/);
  assert.match(show(v), /legacy-open: ingress \(all traffic\) is open to the internet/);

  // The same regression in the real base stack: the Kafka rule opened to the world.
  const base = copyOf('base');
  const kafka = Object.entries(base.resource!.aws_vpc_security_group_ingress_rule).find(([id]) => id.startsWith('network_kafka-in-from-self'))!;
  delete kafka[1].referenced_security_group_id;
  kafka[1].cidr_ipv4 = '0.0.0.0/0';
  assert.match(
    show(checkOpenIngress(base)),
    /aws_vpc_security_group_ingress_rule\.network_kafka-in-from-self_\w+: ingress \(tcp 9098-9098\) is open to the internet: cidr_ipv4 = 0\.0\.0\.0\/0/,
  );
});

test('msk-tls-iam: a TLS_PLAINTEXT, unauthenticated provisioned cluster and a serverless cluster without IAM fail', () => {
  const tf = broken((s) => {
    new MskCluster(s, 'plaintext', {
      clusterName: 'c',
      kafkaVersion: '3.8.x',
      numberOfBrokerNodes: 3,
      brokerNodeGroupInfo: { instanceType: 'kafka.t3.small', clientSubnets: ['a', 'b', 'c'], securityGroups: ['sg'] },
      clientAuthentication: { sasl: { iam: false, scram: true }, unauthenticated: true },
      encryptionInfo: { encryptionInTransit: { clientBroker: 'TLS_PLAINTEXT', inCluster: false } },
    });
    new MskCluster(s, 'defaults', {
      clusterName: 'd',
      kafkaVersion: '3.8.x',
      numberOfBrokerNodes: 3,
      brokerNodeGroupInfo: { instanceType: 'kafka.t3.small', clientSubnets: ['a', 'b', 'c'], securityGroups: ['sg'] },
    });
    new MskServerlessCluster(s, 'no-iam', {
      clusterName: 'e',
      clientAuthentication: { sasl: { iam: { enabled: false } } },
      vpcConfig: [{ subnetIds: ['a', 'b'] }],
    });
  });
  const text = show(checkMskTlsIam(tf));
  assert.match(text, /aws_msk_cluster\.plaintext: encryption_info\.encryption_in_transit\.client_broker is "TLS_PLAINTEXT": set it to "TLS"/);
  assert.match(text, /aws_msk_cluster\.plaintext: encryption_info\.encryption_in_transit\.in_cluster is false/);
  assert.match(text, /aws_msk_cluster\.plaintext: client_authentication\.sasl\.iam is false: set it to true/);
  assert.match(text, /aws_msk_cluster\.plaintext: client_authentication\.sasl\.scram is enabled/);
  assert.match(text, /aws_msk_cluster\.plaintext: client_authentication\.unauthenticated is true/);
  assert.match(text, /aws_msk_cluster\.defaults: encryption_info\.encryption_in_transit\.client_broker is null/, 'relying on defaults is not enough');
  assert.match(text, /aws_msk_serverless_cluster\.no-iam: client_authentication\.sasl\.iam\.enabled must be true/);

  const real = copyOf('base (provisioned cluster)');
  const cluster = Object.values(real.resource!.aws_msk_cluster)[0];
  cluster.encryption_info.encryption_in_transit.client_broker = 'TLS_PLAINTEXT';
  assert.match(show(checkMskTlsIam(real)), /aws_msk_cluster\.kafka_provisioned_\w+: .*client_broker is "TLS_PLAINTEXT"/);
});

test('sqs-encryption: a queue with SSE off and no KMS key fails; SSE-SQS and SSE-KMS pass', () => {
  const tf = broken((s) => {
    new SqsQueue(s, 'plain', { name: 'plain', sqsManagedSseEnabled: false });
    new SqsQueue(s, 'unset', { name: 'unset' });
    new SqsQueue(s, 'sse-sqs', { name: 'sse-sqs', sqsManagedSseEnabled: true });
    new SqsQueue(s, 'sse-kms', { name: 'sse-kms', kmsMasterKeyId: 'alias/aws/sqs' });
  });
  const v = checkSqsEncryption(tf);
  assert.equal(v.map((x) => x.address).sort(), ['aws_sqs_queue.plain', 'aws_sqs_queue.unset'], show(v));
  assert.match(
    show(v),
    /aws_sqs_queue\.plain: queue "plain" is not encrypted at rest: set sqs_managed_sse_enabled = true or kms_master_key_id \(sqs_managed_sse_enabled is false\)/,
  );

  const lab3 = copyOf('lab-03-sqs-buffer');
  for (const q of Object.values(lab3.resource!.aws_sqs_queue)) delete q.sqs_managed_sse_enabled;
  assert.is(checkSqsEncryption(lab3).length, 2, 'the buffer queue and its DLQ');
});

test('log-retention: a log group without retention, or with 0 (never expire), fails', () => {
  const tf = broken((s) => {
    new CloudwatchLogGroup(s, 'forever', { name: '/aws/lambda/forever' });
    new CloudwatchLogGroup(s, 'zero', { name: '/aws/lambda/zero', retentionInDays: 0 });
    new CloudwatchLogGroup(s, 'week', { name: '/aws/lambda/week', retentionInDays: 7 });
  });
  const v = checkLogRetention(tf);
  assert.equal(v.map((x) => x.address).sort(), ['aws_cloudwatch_log_group.forever', 'aws_cloudwatch_log_group.zero'], show(v));
  assert.match(
    show(v),
    /aws_cloudwatch_log_group\.forever: log group "\/aws\/lambda\/forever" keeps logs forever: retention_in_days is null, set a number of days > 0/,
  );

  const lab1 = copyOf('lab-01-baseline');
  for (const g of Object.values(lab1.resource!.aws_cloudwatch_log_group)) delete g.retention_in_days;
  assert.match(
    show(checkLogRetention(lab1)),
    /aws_cloudwatch_log_group\.booking-processor_function_logs_\w+: log group "\/aws\/lambda\/klw-01-baseline-booking-processor" keeps logs forever/,
  );
});

test('lambda-limits: a function without timeout and memory_size (or out of bounds) fails', () => {
  const tf = broken((s) => {
    new LambdaFunction(s, 'defaults', { functionName: 'defaults', role: ROLE, runtime: 'nodejs22.x', handler: 'index.handler', filename: 'f.zip' });
    new LambdaFunction(s, 'too-long', {
      functionName: 'too-long',
      role: ROLE,
      runtime: 'nodejs22.x',
      handler: 'index.handler',
      filename: 'f.zip',
      timeout: 901,
      memorySize: 64,
    });
  });
  const text = show(checkLambdaLimits(tf));
  assert.match(text, /aws_lambda_function\.defaults: timeout is not set \(Lambda would use its 3 s default\)/);
  assert.match(text, /aws_lambda_function\.defaults: memory_size is not set \(Lambda would use its 128 MB default\)/);
  assert.match(text, /aws_lambda_function\.too-long: timeout is 901: expected an integer 1\.\.900 s/);
  assert.match(text, /aws_lambda_function\.too-long: memory_size is 64: expected an integer 128\.\.10240 MB/);
});

test('lambda-env-secrets: secret-looking names and values fail, with the variable named; ordinary configuration passes', () => {
  const tf = broken((s) => {
    new LambdaFunction(s, 'leaky', {
      functionName: 'leaky',
      role: ROLE,
      runtime: 'nodejs22.x',
      handler: 'index.handler',
      filename: 'f.zip',
      timeout: 30,
      memorySize: 256,
      environment: {
        variables: {
          DB_PASSWORD: 'hunter2',
          GITHUB_TOKEN: 'x',
          STRIPE_KEY: 'x',
          CLIENT_ID: 'AKIAIOSFODNN7EXAMPLE',
          SIGNING_BLOB: 'c2VjcmV0LXZhbHVlLXRoYXQtc2hvdWxkLW5vdC1iZS1oZXJlMTIzNA==',
          BROKER_URL: 'kafka://admin:s3cr3t@broker:9092',
          FROM_SECRETS_MANAGER: '${aws_secretsmanager_secret_version.db.secret_string}',
          TOPIC: 'bookings',
          QUEUE_URL: '${aws_sqs_queue.buffer_queue_DEC30583.url}',
          FUNCTION_NAME: 'klw-04-best-practices-booking-processor',
        },
      },
    });
  });
  const v = checkLambdaEnvSecrets(tf);
  const flagged = new Set(v.map((x) => /environment variable (\w+)/.exec(x.reason)![1]));
  assert.equal([...flagged].sort(), ['BROKER_URL', 'CLIENT_ID', 'DB_PASSWORD', 'FROM_SECRETS_MANAGER', 'GITHUB_TOKEN', 'SIGNING_BLOB', 'STRIPE_KEY'], show(v));
  const text = show(v);
  assert.match(text, /aws_lambda_function\.leaky: environment variable DB_PASSWORD: the name DB_PASSWORD looks like a secret \(matches "password"\)/);
  assert.match(text, /environment variable CLIENT_ID: its value contains an AWS access key id/);
  assert.match(text, /environment variable SIGNING_BLOB: its value contains a 56-character base64 blob/);
  assert.match(text, /environment variable BROKER_URL: its value contains credentials in a URL/);
  assert.match(text, /environment variable FROM_SECRETS_MANAGER: its value comes from a secret/);

  // A real function, one pasted key away from a leak.
  const lab4 = copyOf('lab-04-best-practices');
  Object.values(lab4.resource!.aws_lambda_function)[0].environment.variables.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  const real = show(checkLambdaEnvSecrets(lab4));
  assert.match(
    real,
    /aws_lambda_function\.booking-processor_function_\w+: environment variable AWS_SECRET_ACCESS_KEY: the name AWS_SECRET_ACCESS_KEY looks like a secret/,
  );
  assert.match(real, /AWS_SECRET_ACCESS_KEY: its value contains a 40-character base64 blob/);
});

test('iam-wildcards: "*" and "service:*" actions, and "*" resources outside the allow-list, fail in every policy form', () => {
  const tf = broken((s) => {
    const doc = new DataAwsIamPolicyDocument(s, 'admin', {
      statement: [
        { sid: 'Everything', effect: 'Allow', actions: ['*'], resources: ['*'] },
        { sid: 'AnyTopic', effect: 'Allow', actions: ['kafka-cluster:ReadData', 'ec2:DescribeVpcs'], resources: ['*'] },
        { sid: 'EniOk', effect: 'Allow', actions: ['ec2:DescribeSubnets', 'ec2:CreateNetworkInterface'], resources: ['*'] },
        { sid: 'DenyOk', effect: 'Deny', actions: ['*'], resources: ['*'] },
      ],
    });
    const trust = new DataAwsIamPolicyDocument(s, 'trust', {
      statement: [{ effect: 'Allow', actions: ['sts:AssumeRole'], principals: [{ type: 'Service', identifiers: ['lambda.amazonaws.com'] }] }],
    });
    const role = new IamRole(s, 'role', { name: 'r', assumeRolePolicy: trust.json });
    new IamRolePolicy(s, 'from-doc', { role: role.id, policy: doc.json });
    new IamRolePolicy(s, 'literal', {
      role: role.id,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Sid: 'AllSqs', Effect: 'Allow', Action: 'sqs:*', Resource: 'arn:aws:sqs:eu-west-1:123456789012:q' }],
      }),
    });
    new IamPolicy(s, 'jsonencoded', {
      policy: Fn.jsonencode({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: ['logs:PutLogEvents'], Resource: '*' },
          { Effect: 'Allow', NotAction: ['iam:*'], Resource: role.arn },
        ],
      }),
    });
    new IamRolePolicyAttachment(s, 'managed', { role: role.name, policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' });
  });
  const text = show(checkIamWildcards(tf));
  assert.match(text, /data\.aws_iam_policy_document\.admin: statement Everything: Action "\*" grants every action of every service/);
  assert.match(text, /data\.aws_iam_policy_document\.admin: statement Everything: Resource "\*" with \*: these actions have resource types/);
  assert.match(text, /statement AnyTopic: Resource "\*" with kafka-cluster:ReadData: these actions have resource types, name the resources/);
  assert.not.match(text, /AnyTopic: .*ec2:DescribeVpcs/, 'allow-listed actions are not blamed');
  assert.match(text, /statement Everything: Resource "\*" with \*: .*only the actions in WILDCARD_RESOURCE_ACTIONS/);
  assert.not.match(text, /EniOk|DenyOk|trust/);
  assert.match(text, /aws_iam_role_policy\.literal: statement AllSqs: Action "sqs:\*" grants every action of the service/);
  assert.match(text, /aws_iam_policy\.jsonencoded: Statement\[0\]: Resource "\*" with logs:PutLogEvents/);
  assert.match(text, /aws_iam_policy\.jsonencoded: Statement\[1\]: NotAction with Allow grants everything except iam:\*/);
  assert.match(text, /aws_iam_role_policy_attachment\.managed: attaches managed policy arn:aws:iam::aws:policy\/AdministratorAccess/);

  // The real role policy of lab 1, widened the way least privilege usually erodes.
  const lab1 = copyOf('lab-01-baseline');
  const policy = Object.entries(lab1.data!.aws_iam_policy_document).find(([id]) => /_policy_[0-9A-F]{8}$/.test(id))![1];
  policy.statement.find((st: any) => st.sid === 'KafkaReadTopic').actions = ['kafka-cluster:*'];
  policy.statement.find((st: any) => st.sid === 'MskDescribeCluster').resources = ['*'];
  const real = show(checkIamWildcards(lab1));
  assert.match(real, /statement KafkaReadTopic: Action "kafka-cluster:\*" grants every action of the service/);
  assert.match(real, /statement MskDescribeCluster: Resource "\*" with kafka:DescribeClusterV2: these actions have resource types/);
});

test('iam-wildcards: a policy that cannot be read is a violation, not a pass', () => {
  const tf = broken((s) => {
    new IamPolicy(s, 'opaque', { policy: '${file("policy.json")}' });
  });
  assert.match(show(checkIamWildcards(tf)), /aws_iam_policy\.opaque: policy: policy is an expression \(\$\{file\("policy\.json"\)\}\) that cannot be checked/);
  assert.equal(jsonencodeToJson('{"Action" = "sqs:SendMessage", "Resource" = [aws_sqs_queue.q.arn, replace(x, ":a", ":b")]}'), {
    Action: 'sqs:SendMessage',
    Resource: ['${aws_sqs_queue.q.arn}', '${replace(x, ":a", ":b")}'],
  });
});

test('esm-role-scope: the Kafka consumer role widened beyond its cluster, topic or group fails', () => {
  const widen = (mutate: (statements: any[]) => void) => {
    const lab1 = copyOf('lab-01-baseline');
    const policy = Object.entries(lab1.data!.aws_iam_policy_document).find(([id]) => /_policy_[0-9A-F]{8}$/.test(id))![1];
    mutate(policy.statement);
    return show(checkEsmRoleScope(lab1));
  };
  const sid = (statements: any[], name: string) => statements.find((s) => s.sid === name);

  const allTopics = widen((st) => {
    const r = sid(st, 'KafkaReadTopic');
    r.resources = [r.resources[0].replace(/\/bookings$/, '/*')];
  });
  assert.match(
    allTopics,
    /aws_lambda_event_source_mapping\.booking-processor_esm_\w+: data\.aws_iam_policy_document\.booking-processor_function_policy_\w+ statement KafkaReadTopic \(role aws_iam_role\.booking-processor_function_role_\w+\) grants kafka-cluster:DescribeTopic, kafka-cluster:ReadData on \$\{replace\(.*":topic\/"\)\}\/\*, which is not the ESM's cluster/,
  );

  const otherTopic = widen((st) =>
    sid(st, 'KafkaReadTopic').resources.push(
      '${replace(data.terraform_remote_state.base_state_FBF4CF36.outputs.cluster_arn, ":cluster/", ":topic/")}/payments',
    ),
  );
  assert.match(otherTopic, /statement KafkaReadTopic .* on \$\{replace\(.*\)\}\/payments, which is not the ESM's cluster/);

  const anyCluster = widen((st) => sid(st, 'KafkaClusterConnect').resources.push('arn:aws:kafka:eu-west-1:123456789012:cluster/other/*'));
  assert.match(
    anyCluster,
    /statement KafkaClusterConnect .* grants kafka-cluster:Connect, kafka-cluster:DescribeClusterDynamicConfiguration on arn:aws:kafka:eu-west-1:123456789012:cluster\/other\/\*/,
  );

  const wrongKind = widen((st) => (sid(st, 'KafkaConsumerGroup').actions = ['kafka-cluster:DescribeGroup', 'kafka-cluster:ReadData']));
  assert.match(wrongKind, /grants kafka-cluster:ReadData on the group ARN .*; kafka-cluster:ReadData applies to the topic/);

  const mskAnywhere = widen((st) => (sid(st, 'MskDescribeCluster').resources = ['*']));
  assert.match(mskAnywhere, /statement MskDescribeCluster .* grants kafka:DescribeClusterV2 on \*; MSK actions of the ESM role must name only the cluster/);

  // With a consumer group id, the group ARN must name that group, not every group of the cluster.
  const lab1 = copyOf('lab-01-baseline');
  Object.values(lab1.resource!.aws_lambda_event_source_mapping)[0].amazon_managed_kafka_event_source_config = { consumer_group_id: 'bookings-lab1' };
  assert.match(
    show(checkEsmRoleScope(lab1)),
    /statement KafkaConsumerGroup .* on \$\{replace\(.*":group\/"\)\}\/\*, which is not .* group \(\$\{replace\(.*\)\}\/bookings-lab1\)/,
  );

  // A managed policy on the ESM role cannot be checked.
  const attached = copyOf('lab-02-low-latency');
  attached.resource!.aws_iam_role_policy_attachment = {
    msk: {
      role: '${aws_iam_role.booking-processor_function_role_F5225170.name}',
      policy_arn: 'arn:aws:iam::aws:policy/service-role/AWSLambdaMSKExecutionRole',
    },
  };
  assert.match(
    show(checkEsmRoleScope(attached)),
    /attaches arn:aws:iam::aws:policy\/service-role\/AWSLambdaMSKExecutionRole to the ESM role; its scope cannot be checked/,
  );
});

test.run();
