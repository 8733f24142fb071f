// The hosted event's CodeBuild role, through IAM's evaluation logic (@cloud-copilot/iam-simulate,
// as test/policy does for the stacks' roles), on the ARNs the base stack's resources get: every
// call `npm run deploy -- base` makes is Allowed, and what the base never needs is Denied (IAM
// users, another function, an untagged VPC, another bucket). Every action exists in AWS's data.

import { runSimulation } from '@cloud-copilot/iam-simulate';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BASE_DEPLOY_PROJECT, baseDeployStatements, hostedEventTemplate } from '../../../labs/hosted-event/template.ts';
import { DEFAULT_PREFIX as PREFIX } from '../../../labs/participant.ts';
import { PROJECT_TAG } from '../../../modules/names.ts';
import { actionFacts } from '../../policy/iam-data.ts';
import { ACCOUNT, REGION, SAMPLE_CLUSTER_ARN } from '../../policy/iam-simulation.ts';

const BUCKET = 'event-statebucket-1a2b3c4d5e6f';
const SAMPLES: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': REGION, 'AWS::AccountId': ACCOUNT, StateBucket: BUCKET };

/** A template value with its Fn::Sub references made the sample account's. */
function concrete(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(concrete);
  if (value && typeof value === 'object') {
    const sub = (value as { 'Fn::Sub'?: string })['Fn::Sub'];
    if (typeof sub === 'string') {
      return sub.replace(/\$\{([\w:]+)\}/g, (_, name: string) => {
        if (!(name in SAMPLES)) throw new Error(`no sample value for \${${name}}`);
        return SAMPLES[name];
      });
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, concrete(v)]));
  }
  return value;
}

const template = hostedEventTemplate();
const role = template.Resources.BaseDeployRole.Properties as { Policies: { PolicyDocument: { Statement: unknown[] } }[] };
const policy = { Version: '2012-10-17', Statement: concrete(role.Policies[0].PolicyDocument.Statement) };

type Context = Record<string, string | string[]>;
async function decide(action: string, resource: string, context: Context = {}): Promise<string> {
  const result = await runSimulation(
    {
      request: {
        principal: `arn:aws:iam::${ACCOUNT}:role/event-BaseDeployRole`,
        action,
        resource: { resource, accountId: ACCOUNT },
        contextVariables: context,
      },
      identityPolicies: [{ name: 'deploy-the-base-stack', policy }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(`simulating ${action} on ${resource}: ${JSON.stringify(result.errors)}`);
  return result.overallResult;
}

const ec2 = (type: string, id: string) => `arn:aws:ec2:${REGION}:${ACCOUNT}:${type}/${id}`;
const fn = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
const role_ = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const logGroup = (name: string) => `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${name}`;
const tagged = { [`aws:ResourceTag/${PROJECT_TAG.key}`]: PROJECT_TAG.value };

test('the role in the template is the one these checks simulate', () => {
  assert.equal(role.Policies[0].PolicyDocument.Statement, baseDeployStatements());
});

test('every action the role grants exists in AWS data, and no statement grants "<service>:*"', async () => {
  for (const statement of baseDeployStatements()) {
    for (const action of statement.Action as string[]) {
      assert.ok(!action.includes('*'), `${statement.Sid}: ${action}`);
      assert.ok(await actionFacts(action), `${action} is an IAM action`);
    }
  }
});

const needs: [string, string, string, Context?][] = [
  ['read the account (provider start-up)', 'sts:GetCallerIdentity', '*'],
  ['list the zones for the subnets', 'ec2:DescribeAvailabilityZones', '*'],
  ['create the VPC', 'ec2:CreateVpc', ec2('vpc', 'vpc-0abc')],
  ['tag it at creation', 'ec2:CreateTags', ec2('vpc', 'vpc-0abc'), { 'ec2:CreateAction': 'CreateVpc' }],
  ['create a subnet', 'ec2:CreateSubnet', ec2('subnet', 'subnet-0abc')],
  ['create a security group', 'ec2:CreateSecurityGroup', ec2('security-group', 'sg-0abc')],
  ['open the Kafka port to itself', 'ec2:AuthorizeSecurityGroupIngress', ec2('security-group', 'sg-0abc')],
  ['create the Lambda interface endpoint', 'ec2:CreateVpcEndpoint', ec2('vpc-endpoint', 'vpce-0abc')],
  ['destroy: delete the tagged VPC', 'ec2:DeleteVpc', ec2('vpc', 'vpc-0abc'), tagged],
  ['create the MSK Serverless cluster', 'kafka:CreateClusterV2', `arn:aws:kafka:${REGION}:${ACCOUNT}:cluster/${PREFIX}-cluster/*`],
  ['wait for it', 'kafka:DescribeClusterV2', SAMPLE_CLUSTER_ARN],
  ['read its brokers (wildcard-only)', 'kafka:GetBootstrapBrokers', '*'],
  ['destroy: delete it', 'kafka:DeleteCluster', SAMPLE_CLUSTER_ARN],
  [
    'MSK creates its service-linked role',
    'iam:CreateServiceLinkedRole',
    role_('aws-service-role/kafka.amazonaws.com/AWSServiceRoleForKafka'),
    { 'iam:AWSServiceName': 'kafka.amazonaws.com' },
  ],
  ['create the producer', 'lambda:CreateFunction', fn(`${PREFIX}-producer`)],
  ['create the topics (aws_lambda_invocation)', 'lambda:InvokeFunction', fn(`${PREFIX}-topic-admin`)],
  ['create the producer role', 'iam:CreateRole', role_(`${PREFIX}-producer`)],
  ['give it its inline policy', 'iam:PutRolePolicy', role_(`${PREFIX}-producer`)],
  ['pass it to Lambda', 'iam:PassRole', role_(`${PREFIX}-producer`), { 'iam:PassedToService': 'lambda.amazonaws.com' }],
  ['create its log group', 'logs:CreateLogGroup', logGroup(`/aws/lambda/${PREFIX}-producer`)],
  ['set its retention', 'logs:PutRetentionPolicy', logGroup(`/aws/lambda/${PREFIX}-producer`)],
  ['create the dashboard', 'cloudwatch:PutDashboard', `arn:aws:cloudwatch::${ACCOUNT}:dashboard/${PREFIX}-dashboard`],
  ['write the state', 's3:PutObject', `arn:aws:s3:::${BUCKET}/terraform/base.tfstate`],
  ['read the state', 's3:GetObject', `arn:aws:s3:::${BUCKET}/terraform/base.tfstate`],
  ['write the build log', 'logs:PutLogEvents', `${logGroup(`/aws/codebuild/${BASE_DEPLOY_PROJECT}`)}:log-stream:build-1`],
];

test('the role may make every call the base deploy makes', async () => {
  for (const [what, action, resource, context] of needs) {
    assert.is(await decide(action, resource, context), 'Allowed', `${what}: ${action} on ${resource}`);
  }
});

const mustNot: [string, string, string, Context?][] = [
  ['create an IAM user', 'iam:CreateUser', `arn:aws:iam::${ACCOUNT}:user/intruder`],
  ['attach a policy to a role outside the workshop', 'iam:PutRolePolicy', role_('Admin')],
  ['pass a workshop role to EC2', 'iam:PassRole', role_(`${PREFIX}-producer`), { 'iam:PassedToService': 'ec2.amazonaws.com' }],
  ["delete a function that is not the workshop's", 'lambda:DeleteFunction', fn('payments-api')],
  ["invoke a function that is not the workshop's", 'lambda:InvokeFunction', fn('payments-api')],
  ['delete a VPC without the project tag', 'ec2:DeleteVpc', ec2('vpc', 'vpc-0other'), { [`aws:ResourceTag/${PROJECT_TAG.key}`]: 'something-else' }],
  ['tag an existing VPC to make it deletable', 'ec2:CreateTags', ec2('vpc', 'vpc-0other')],
  ['start an instance', 'ec2:RunInstances', ec2('instance', 'i-0abc')],
  ['delete another cluster', 'kafka:DeleteCluster', `arn:aws:kafka:${REGION}:${ACCOUNT}:cluster/orders/7c3a1f0e-4b2d-4c8e-9a61-2f5d8e0b1c34-s1`],
  ['delete another log group', 'logs:DeleteLogGroup', logGroup('/aws/lambda/payments-api')],
  ['read another bucket', 's3:GetObject', 'arn:aws:s3:::customer-data/export.csv'],
  ['create a cluster in another region', 'kafka:CreateClusterV2', `arn:aws:kafka:us-east-1:${ACCOUNT}:cluster/${PREFIX}-cluster/*`],
];

test('the role may not do what the base never needs', async () => {
  for (const [what, action, resource, context] of mustNot) {
    assert.is.not(await decide(action, resource, context), 'Allowed', `${what}: ${action} on ${resource}`);
  }
});

test.run();
