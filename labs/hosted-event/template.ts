// The hosted event's CloudFormation template (a Workshop Studio event, or an instructor's own
// event accounts): per participant account, a browser IDE and the base stack already deployed.
//
// Written as an object here, not as a YAML file, so the facts it shares with the rest of the
// project have one home: the resource prefix (modules/names.ts), the project tag, the Node.js the
// project pins (package.json's `node` package), the oldest Terraform the stacks accept and the
// state-bucket variable (stack-contract.ts). `npm run studio` writes it into the export's static/
// folder (docs/studio-export.ts); that file is the template an instructor deploys alone too.
//
// Its shape follows AWS's own workshops, read when this was written (aws-samples/java-on-aws
// infrastructure/cfn/ide-stack.yaml): code-server on an Amazon Linux 2023 instance behind
// CloudFront, reachable only from CloudFront's origin-facing prefix list, its password generated
// in Secrets Manager, the instance's setup signalled back to CloudFormation.
//
// The base stack is deployed while the event is provisioned: a custom resource starts a CodeBuild
// build (`npm run aws:setup && npm run deploy -- base`, state in the template's S3 bucket) and a
// wait condition holds the stack until the build signals its result, so the event is ready only
// when the MSK Serverless cluster is. The participant's IDE gets the same bucket in
// WORKSHOP_STATE_BUCKET, so its `npm run deploy -- <lab>` reads that base.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { PROJECT_TAG } from '../../modules/names.ts';
// One participant per event account, so the default prefix: the role's scoping by name needs it fixed.
import { DEFAULT_PREFIX as PREFIX } from '../participant.ts';
import { BASE_STACK, MIN_TERRAFORM_VERSION, REPO_ROOT, STATE_BUCKET_VARIABLE } from '../stack-contract.ts';

/** The Terraform the event installs unless the instructor picks another (>= MIN_TERRAFORM_VERSION). */
export const EVENT_TERRAFORM_VERSION = '1.11.4';
/** code-server's release, pinned as java-on-aws pins it. */
export const CODE_SERVER_VERSION = '4.103.2';
/** The file name the template has in an export. */
export const TEMPLATE_FILE = 'hosted-event.yaml';
/** Where the repository is checked out on the IDE instance. */
export const IDE_FOLDER = '/home/ec2-user/environment/kafka-lambda-workshop';
/** The CodeBuild project's name: the role's own log group and build permissions are scoped to it. */
export const BASE_DEPLOY_PROJECT = `${PREFIX}-base-deploy`;

/** The outputs a participant needs, by key: Workshop Studio shows exactly these (contentspec participantVisibleStackOutputs). */
export const PARTICIPANT_OUTPUTS = {
  ideUrl: 'IdeUrl',
  idePassword: 'IdePasswordSecret',
  stateBucket: 'StateBucket',
  region: 'Region',
} as const;

/** The Node.js the project runs on: the version of the `node` package in package.json. */
export function projectNodeVersion(): string {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  return pkg.dependencies.node;
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export interface CfnTemplate {
  AWSTemplateFormatVersion: string;
  Description: string;
  Parameters: Record<string, Record<string, Json>>;
  Resources: Record<string, { Type: string; Properties?: Record<string, Json>; [key: string]: Json | undefined }>;
  Outputs: Record<string, { Description: string; Value: Json }>;
}

const sub = (text: string): Json => ({ 'Fn::Sub': text });
const ref = (name: string): Json => ({ Ref: name });
const getAtt = (resource: string, attribute: string): Json => ({ 'Fn::GetAtt': [resource, attribute] });
const arn = (service: string, resource: string, region = '${AWS::Region}') => sub(`arn:\${AWS::Partition}:${service}:${region}:\${AWS::AccountId}:${resource}`);

/**
 * Node.js (the project's version), Terraform (the template's parameter) and git, installed the
 * same way on the IDE instance and in the CodeBuild build, both Amazon Linux 2023 on x86_64.
 */
function installTools(): string[] {
  return [
    'dnf install -y -q git unzip tar xz jq',
    'curl -fsSL -o /tmp/node.tar.xz "https://nodejs.org/dist/v${NODE_VERSION}/node-v${NODE_VERSION}-linux-x64.tar.xz"',
    'tar -xJf /tmp/node.tar.xz -C /usr/local --strip-components=1',
    'curl -fsSL -o /tmp/terraform.zip "https://releases.hashicorp.com/terraform/${TERRAFORM_VERSION}/terraform_${TERRAFORM_VERSION}_linux_amd64.zip"',
    'unzip -o -q /tmp/terraform.zip -d /usr/local/bin terraform',
    'node --version && terraform version',
  ];
}

/**
 * The build: tools, the repository, the base deployed into the state bucket, and the wait
 * condition signalled either way. All in the build phase, its signal in `finally`, which runs
 * after a failed command too (https://docs.aws.amazon.com/codebuild/latest/userguide/build-spec-ref.html):
 * the stack hears a failure at once instead of waiting out its timeout. The commands share one
 * shell, so the `cd` holds for the ones after it.
 */
function buildspec(): string {
  const spec = {
    version: 0.2,
    env: { shell: 'bash' },
    phases: {
      build: {
        commands: [
          ...installTools(),
          'git clone --depth 1 --branch "$REPO_REF" "$REPO_URL" workshop',
          'cd workshop',
          'npm ci --no-audit --no-fund',
          `npm run aws:setup && npm run deploy -- ${BASE_STACK}`,
        ],
        finally: [
          'if [ "$CODEBUILD_BUILD_SUCCEEDING" = "1" ]; then STATUS=SUCCESS; else STATUS=FAILURE; fi',
          'curl -fsS -X PUT -H "Content-Type:" --data-binary "{\\"Status\\":\\"$STATUS\\",\\"Reason\\":\\"Build $CODEBUILD_BUILD_ID: see its log\\",\\"UniqueId\\":\\"base\\",\\"Data\\":\\"$CODEBUILD_BUILD_ID\\"}" "$WAIT_HANDLE_URL"',
        ],
      },
    },
  };
  return stringify(spec, { lineWidth: 0 });
}

/** The IDE instance's first boot: tools, Java for the local sandbox, code-server, the repository, then the signal. */
function ideUserData(): Json {
  const lines = [
    '#!/bin/bash',
    'set -euo pipefail',
    "trap '/opt/aws/bin/cfn-signal -e 1 --stack ${AWS::StackName} --resource IdeInstance --region ${AWS::Region}' ERR",
    'export NODE_VERSION=${NodeVersion} TERRAFORM_VERSION=${TerraformVersion}',
    // Fn::Sub would read ${NODE_VERSION} as a reference: ${!NODE_VERSION} is its escape for a literal.
    ...installTools().map((line) => line.replace(/\$\{(NODE_VERSION|TERRAFORM_VERSION)\}/g, '$${!$1}')),
    'dnf install -y -q java-17-amazon-corretto-headless aws-cfn-bootstrap',
    `cat > /etc/profile.d/workshop.sh <<'EOF'`,
    'export AWS_REGION=${AWS::Region} AWS_DEFAULT_REGION=${AWS::Region}',
    `export ${STATE_BUCKET_VARIABLE}=\${StateBucket}`,
    'EOF',
    'PASSWORD=$(aws secretsmanager get-secret-value --region ${AWS::Region} --secret-id ${IdePassword} --query SecretString --output text | jq -r .password)',
    "sudo -u ec2-user bash -c 'curl -fsSL https://code-server.dev/install.sh | sh -s -- --version ${CodeServerVersion}'",
    'mkdir -p /home/ec2-user/.config/code-server',
    'printf "bind-addr: 0.0.0.0:8080\\nauth: password\\npassword: %s\\ncert: false\\n" "$PASSWORD" > /home/ec2-user/.config/code-server/config.yaml',
    `sudo -u ec2-user git clone --branch \${RepositoryRef} \${RepositoryUrl} ${IDE_FOLDER}`,
    `sudo -u ec2-user bash -lc 'cd ${IDE_FOLDER} && npm ci --no-audit --no-fund && npm run aws:setup'`,
    'chown -R ec2-user:ec2-user /home/ec2-user',
    'systemctl enable --now code-server@ec2-user',
    '/opt/aws/bin/cfn-signal -e 0 --stack ${AWS::StackName} --resource IdeInstance --region ${AWS::Region}',
  ];
  return { 'Fn::Base64': sub(`${lines.join('\n')}\n`) };
}

/**
 * What the CodeBuild role may do: exactly what `npm run deploy -- base` calls (the provider's
 * create, read and delete of each resource of the base stack), on the workshop's own names where
 * the ARN carries a name (klw-*), and on this account and region otherwise. EC2 resources have
 * only ids in their ARNs, so their deletes are limited to resources carrying the project tag the
 * stacks put on everything. MSK Serverless needs the caller to create its VPC endpoints
 * (https://docs.aws.amazon.com/msk/latest/developerguide/security-iam-awsmanpol-AmazonMSKFullAccess.html).
 */
export function baseDeployStatements(): Record<string, Json>[] {
  const ec2 = (type: string) => arn('ec2', `${type}/*`);
  const network = ['vpc', 'subnet', 'security-group', 'security-group-rule', 'route-table', 'vpc-endpoint'].map(ec2);
  const tagged = { StringEquals: { [`aws:ResourceTag/${PROJECT_TAG.key}`]: PROJECT_TAG.value } };
  return [
    {
      Sid: 'ReadWhatTheProviderChecks',
      Effect: 'Allow',
      Action: [
        'ec2:DescribeAvailabilityZones',
        'ec2:DescribeAccountAttributes',
        'ec2:DescribeVpcs',
        'ec2:DescribeNetworkAcls',
        'ec2:DescribeSubnets',
        'ec2:DescribeSecurityGroups',
        'ec2:DescribeSecurityGroupRules',
        'ec2:DescribeRouteTables',
        'ec2:DescribeVpcEndpoints',
        'ec2:DescribeVpcEndpointServices',
        'ec2:DescribePrefixLists',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeTags',
        'kafka:GetBootstrapBrokers',
        'logs:DescribeLogGroups',
        'sts:GetCallerIdentity',
      ],
      Resource: '*',
    },
    {
      Sid: 'CreateTheNetwork',
      Effect: 'Allow',
      Action: [
        'ec2:CreateVpc',
        'ec2:DescribeVpcAttribute',
        'ec2:ModifyVpcAttribute',
        'ec2:CreateSubnet',
        'ec2:ModifySubnetAttribute',
        'ec2:CreateSecurityGroup',
        'ec2:AuthorizeSecurityGroupIngress',
        'ec2:AuthorizeSecurityGroupEgress',
        'ec2:CreateRouteTable',
        'ec2:AssociateRouteTable',
        'ec2:CreateVpcEndpoint',
        'ec2:ModifyVpcEndpoint',
      ],
      Resource: network,
    },
    {
      Sid: 'TagWhatItCreates',
      Effect: 'Allow',
      Action: ['ec2:CreateTags'],
      Resource: network,
      Condition: {
        StringEquals: {
          'ec2:CreateAction': [
            'CreateVpc',
            'CreateSubnet',
            'CreateSecurityGroup',
            'CreateRouteTable',
            'CreateVpcEndpoint',
            'AuthorizeSecurityGroupIngress',
            'AuthorizeSecurityGroupEgress',
          ],
        },
      },
    },
    {
      Sid: 'ChangeOnlyTheWorkshopNetwork',
      Effect: 'Allow',
      Action: [
        'ec2:CreateTags',
        'ec2:DeleteTags',
        'ec2:RevokeSecurityGroupIngress',
        'ec2:RevokeSecurityGroupEgress',
        'ec2:DisassociateRouteTable',
        'ec2:DeleteRouteTable',
        'ec2:DeleteSecurityGroup',
        'ec2:DeleteSubnet',
        'ec2:DeleteVpcEndpoints',
        'ec2:DeleteVpc',
      ],
      Resource: network,
      Condition: tagged,
    },
    {
      Sid: 'TheKafkaCluster',
      Effect: 'Allow',
      Action: [
        'kafka:CreateClusterV2',
        'kafka:DescribeClusterV2',
        'kafka:DeleteCluster',
        'kafka:ListTagsForResource',
        'kafka:TagResource',
        'kafka:UntagResource',
      ],
      Resource: arn('kafka', `cluster/${PREFIX}-*/*`),
    },
    {
      Sid: 'KafkaServiceLinkedRole',
      Effect: 'Allow',
      Action: ['iam:CreateServiceLinkedRole'],
      Resource: sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:role/aws-service-role/kafka.amazonaws.com/AWSServiceRoleForKafka*'),
      Condition: { StringEquals: { 'iam:AWSServiceName': 'kafka.amazonaws.com' } },
    },
    {
      Sid: 'TheWorkshopFunctions',
      Effect: 'Allow',
      Action: [
        'lambda:CreateFunction',
        'lambda:GetFunction',
        'lambda:GetFunctionConfiguration',
        'lambda:GetFunctionCodeSigningConfig',
        'lambda:GetRuntimeManagementConfig',
        'lambda:ListVersionsByFunction',
        'lambda:UpdateFunctionCode',
        'lambda:UpdateFunctionConfiguration',
        'lambda:PutFunctionConcurrency',
        'lambda:DeleteFunctionConcurrency',
        'lambda:InvokeFunction',
        'lambda:ListTags',
        'lambda:TagResource',
        'lambda:UntagResource',
        'lambda:DeleteFunction',
      ],
      Resource: arn('lambda', `function:${PREFIX}-*`),
    },
    {
      Sid: 'TheWorkshopRoles',
      Effect: 'Allow',
      Action: [
        'iam:CreateRole',
        'iam:GetRole',
        'iam:TagRole',
        'iam:UntagRole',
        'iam:UpdateAssumeRolePolicy',
        'iam:PutRolePolicy',
        'iam:GetRolePolicy',
        'iam:DeleteRolePolicy',
        'iam:ListRolePolicies',
        'iam:ListAttachedRolePolicies',
        'iam:ListInstanceProfilesForRole',
        'iam:DeleteRole',
      ],
      Resource: sub(`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${PREFIX}-*`),
    },
    {
      Sid: 'PassTheWorkshopRolesToLambda',
      Effect: 'Allow',
      Action: ['iam:PassRole'],
      Resource: sub(`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${PREFIX}-*`),
      Condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } },
    },
    {
      Sid: 'TheFunctionsLogGroups',
      Effect: 'Allow',
      Action: [
        'logs:CreateLogGroup',
        'logs:PutRetentionPolicy',
        'logs:DeleteRetentionPolicy',
        'logs:ListTagsForResource',
        'logs:TagResource',
        'logs:UntagResource',
        'logs:DeleteLogGroup',
      ],
      Resource: arn('logs', `log-group:/aws/lambda/${PREFIX}-*`),
    },
    {
      Sid: 'TheDashboard',
      Effect: 'Allow',
      Action: ['cloudwatch:PutDashboard', 'cloudwatch:GetDashboard', 'cloudwatch:DeleteDashboards'],
      Resource: arn('cloudwatch', `dashboard/${PREFIX}-*`, ''),
    },
    {
      Sid: 'TheStateBucket',
      Effect: 'Allow',
      Action: ['s3:ListBucket'],
      Resource: sub('arn:${AWS::Partition}:s3:::${StateBucket}'),
    },
    {
      Sid: 'TheStateObjects',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
      Resource: sub('arn:${AWS::Partition}:s3:::${StateBucket}/*'),
    },
    {
      Sid: 'TheBuildsOwnLog',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: arn('logs', `log-group:/aws/codebuild/${BASE_DEPLOY_PROJECT}:log-stream:*`),
    },
  ];
}

/** The custom resources' one function: start the base build (and return), or look up CloudFront's prefix list. */
const EVENT_HELPER = `import boto3, cfnresponse

def handler(event, context):
    data = {}
    try:
        props = event['ResourceProperties']
        if event['RequestType'] == 'Create' and props['Task'] == 'StartBaseDeploy':
            build = boto3.client('codebuild').start_build(projectName=props['ProjectName'], environmentVariablesOverride=[
                {'name': 'WAIT_HANDLE_URL', 'value': props['WaitHandleUrl'], 'type': 'PLAINTEXT'}])
            data = {'BuildId': build['build']['id']}
        elif event['RequestType'] != 'Delete' and props['Task'] == 'CloudFrontPrefixList':
            lists = boto3.client('ec2').describe_managed_prefix_lists(
                Filters=[{'Name': 'prefix-list-name', 'Values': ['com.amazonaws.global.cloudfront.origin-facing']}])
            data = {'PrefixListId': lists['PrefixLists'][0]['PrefixListId']}
        cfnresponse.send(event, context, cfnresponse.SUCCESS, data, props['Task'])
    except Exception as error:
        cfnresponse.send(event, context, cfnresponse.FAILED, {}, event.get('PhysicalResourceId', 'failed'), reason=str(error))
`;

/** The whole template. */
export function hostedEventTemplate(): CfnTemplate {
  const codebuildTrust = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'codebuild.amazonaws.com' }, Action: 'sts:AssumeRole' }],
  };
  const trust = (service: string) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }] });
  const tags = [{ Key: PROJECT_TAG.key, Value: PROJECT_TAG.value }];
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: 'Optimizing Kafka workloads with AWS Lambda: a participant account with a browser IDE (code-server) and the base stack deployed.',
    Parameters: {
      RepositoryUrl: {
        Type: 'String',
        Description: 'The workshop repository to check out (https).',
        AllowedPattern: '^https://.+',
        ConstraintDescription: 'an https git URL',
      },
      RepositoryRef: { Type: 'String', Default: 'main', Description: 'The branch or tag to check out.' },
      NodeVersion: {
        Type: 'String',
        Default: projectNodeVersion(),
        Description: "Node.js, as the project's package.json pins it.",
        AllowedPattern: '^22\\.\\d+\\.\\d+$',
      },
      TerraformVersion: {
        Type: 'String',
        Default: EVENT_TERRAFORM_VERSION,
        Description: `Terraform to install; the stacks need ${MIN_TERRAFORM_VERSION} or newer.`,
        AllowedPattern: '^\\d+\\.\\d+\\.\\d+$',
      },
      CodeServerVersion: { Type: 'String', Default: CODE_SERVER_VERSION, Description: 'code-server release for the IDE.' },
      InstanceType: {
        Type: 'String',
        Default: 't3.large',
        AllowedValues: ['t3.large', 't3.xlarge', 'm5.large', 'm5.xlarge'],
        Description: 'The IDE instance.',
      },
      LatestAmiId: { Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>', Default: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-x86_64' },
    },
    Resources: {
      StateBucket: {
        Type: 'AWS::S3::Bucket',
        // Holds the stacks' state: it outlives the stack so a forgotten `npm run destroy -- --all` can still be run.
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: {
          VersioningConfiguration: { Status: 'Enabled' },
          BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
          PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
          Tags: tags,
        },
      },
      BaseDeployLogs: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: `/aws/codebuild/${BASE_DEPLOY_PROJECT}`, RetentionInDays: 14 } },
      BaseDeployRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: codebuildTrust,
          Policies: [{ PolicyName: 'deploy-the-base-stack', PolicyDocument: { Version: '2012-10-17', Statement: baseDeployStatements() } }],
          Tags: tags,
        },
      },
      BaseDeployProject: {
        Type: 'AWS::CodeBuild::Project',
        Properties: {
          Name: BASE_DEPLOY_PROJECT,
          Description: `npm run deploy -- ${BASE_STACK}, its state in the event's bucket`,
          ServiceRole: getAtt('BaseDeployRole', 'Arn'),
          Artifacts: { Type: 'NO_ARTIFACTS' },
          Source: { Type: 'NO_SOURCE', BuildSpec: buildspec() },
          Environment: {
            Type: 'LINUX_CONTAINER',
            ComputeType: 'BUILD_GENERAL1_MEDIUM',
            Image: 'aws/codebuild/amazonlinux-x86_64-standard:5.0',
            EnvironmentVariables: [
              { Name: 'REPO_URL', Value: ref('RepositoryUrl') },
              { Name: 'REPO_REF', Value: ref('RepositoryRef') },
              { Name: 'NODE_VERSION', Value: ref('NodeVersion') },
              { Name: 'TERRAFORM_VERSION', Value: ref('TerraformVersion') },
              { Name: STATE_BUCKET_VARIABLE, Value: ref('StateBucket') },
            ],
          },
          LogsConfig: { CloudWatchLogs: { Status: 'ENABLED', GroupName: ref('BaseDeployLogs') } },
          // MSK Serverless takes 10-20 minutes of the base's apply.
          TimeoutInMinutes: 90,
          Tags: tags,
        },
      },
      EventHelperRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: trust('lambda.amazonaws.com'),
          ManagedPolicyArns: [sub('arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole')],
          Policies: [
            {
              PolicyName: 'start-the-build-and-find-cloudfront',
              PolicyDocument: {
                Version: '2012-10-17',
                Statement: [
                  { Effect: 'Allow', Action: ['codebuild:StartBuild'], Resource: getAtt('BaseDeployProject', 'Arn') },
                  { Effect: 'Allow', Action: ['ec2:DescribeManagedPrefixLists'], Resource: '*' },
                ],
              },
            },
          ],
        },
      },
      EventHelper: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          Runtime: 'python3.13',
          Handler: 'index.handler',
          Timeout: 60,
          Role: getAtt('EventHelperRole', 'Arn'),
          Code: { ZipFile: EVENT_HELPER },
        },
      },
      BaseDeployDone: { Type: 'AWS::CloudFormation::WaitConditionHandle' },
      BaseDeployStart: {
        Type: 'Custom::StartBaseDeploy',
        Properties: {
          ServiceToken: getAtt('EventHelper', 'Arn'),
          Task: 'StartBaseDeploy',
          ProjectName: ref('BaseDeployProject'),
          WaitHandleUrl: ref('BaseDeployDone'),
        },
      },
      BaseDeployed: {
        Type: 'AWS::CloudFormation::WaitCondition',
        DependsOn: 'BaseDeployStart',
        Properties: { Handle: ref('BaseDeployDone'), Timeout: '5400', Count: 1 },
      },
      IdeVpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.200.0.0/24', EnableDnsHostnames: true, EnableDnsSupport: true, Tags: tags } },
      IdeInternetGateway: { Type: 'AWS::EC2::InternetGateway', Properties: { Tags: tags } },
      IdeGatewayAttachment: { Type: 'AWS::EC2::VPCGatewayAttachment', Properties: { VpcId: ref('IdeVpc'), InternetGatewayId: ref('IdeInternetGateway') } },
      IdeSubnet: {
        Type: 'AWS::EC2::Subnet',
        Properties: {
          VpcId: ref('IdeVpc'),
          CidrBlock: '10.200.0.0/25',
          MapPublicIpOnLaunch: true,
          AvailabilityZone: { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] },
          Tags: tags,
        },
      },
      IdeRoutes: { Type: 'AWS::EC2::RouteTable', Properties: { VpcId: ref('IdeVpc'), Tags: tags } },
      IdeDefaultRoute: {
        Type: 'AWS::EC2::Route',
        DependsOn: 'IdeGatewayAttachment',
        Properties: { RouteTableId: ref('IdeRoutes'), DestinationCidrBlock: '0.0.0.0/0', GatewayId: ref('IdeInternetGateway') },
      },
      IdeSubnetRoutes: { Type: 'AWS::EC2::SubnetRouteTableAssociation', Properties: { SubnetId: ref('IdeSubnet'), RouteTableId: ref('IdeRoutes') } },
      CloudFrontPrefixList: { Type: 'Custom::CloudFrontPrefixList', Properties: { ServiceToken: getAtt('EventHelper', 'Arn'), Task: 'CloudFrontPrefixList' } },
      IdeSecurityGroup: {
        Type: 'AWS::EC2::SecurityGroup',
        Properties: {
          GroupDescription: 'code-server, reachable from CloudFront only',
          VpcId: ref('IdeVpc'),
          SecurityGroupIngress: [
            { IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, SourcePrefixListId: getAtt('CloudFrontPrefixList', 'PrefixListId'), Description: 'CloudFront' },
          ],
          Tags: tags,
        },
      },
      IdePassword: {
        Type: 'AWS::SecretsManager::Secret',
        Properties: {
          Name: `${PREFIX}-ide-password`,
          Description: "The participant's code-server password",
          GenerateSecretString: { SecretStringTemplate: '{}', GenerateStringKey: 'password', PasswordLength: 32, ExcludePunctuation: true },
          Tags: tags,
        },
      },
      IdeRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: trust('ec2.amazonaws.com'),
          // The participant deploys and destroys every lab from here (queues, buckets, topics, mappings,
          // metrics): PowerUserAccess as AWS's workshops give their IDE, plus IAM on the workshop's roles only.
          ManagedPolicyArns: [
            sub('arn:${AWS::Partition}:iam::aws:policy/AmazonSSMManagedInstanceCore'),
            sub('arn:${AWS::Partition}:iam::aws:policy/PowerUserAccess'),
          ],
          Policies: [
            {
              PolicyName: 'workshop-roles-and-password',
              PolicyDocument: {
                Version: '2012-10-17',
                Statement: [
                  ...baseDeployStatements().filter((s) => s.Sid === 'TheWorkshopRoles' || s.Sid === 'PassTheWorkshopRolesToLambda'),
                  { Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: ref('IdePassword') },
                ],
              },
            },
          ],
          Tags: tags,
        },
      },
      IdeInstanceProfile: { Type: 'AWS::IAM::InstanceProfile', Properties: { Roles: [ref('IdeRole')] } },
      IdeInstance: {
        Type: 'AWS::EC2::Instance',
        DependsOn: 'IdeSubnetRoutes',
        CreationPolicy: { ResourceSignal: { Timeout: 'PT30M' } },
        Properties: {
          ImageId: ref('LatestAmiId'),
          InstanceType: ref('InstanceType'),
          SubnetId: ref('IdeSubnet'),
          SecurityGroupIds: [ref('IdeSecurityGroup')],
          IamInstanceProfile: ref('IdeInstanceProfile'),
          MetadataOptions: { HttpTokens: 'required' },
          BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: 30, VolumeType: 'gp3', Encrypted: true } }],
          UserData: ideUserData(),
          Tags: [...tags, { Key: 'Name', Value: `${PREFIX}-ide` }],
        },
      },
      IdeDistribution: {
        Type: 'AWS::CloudFront::Distribution',
        Properties: {
          DistributionConfig: {
            Enabled: true,
            HttpVersion: 'http2',
            Origins: [
              { Id: 'ide', DomainName: getAtt('IdeInstance', 'PublicDnsName'), CustomOriginConfig: { HTTPPort: 8080, OriginProtocolPolicy: 'http-only' } },
            ],
            DefaultCacheBehavior: {
              TargetOriginId: 'ide',
              ViewerProtocolPolicy: 'redirect-to-https',
              AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
              // The managed CachingDisabled and AllViewer policies: an IDE is never cached, and its websocket needs every header.
              CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
              OriginRequestPolicyId: '216adef6-5c7f-47e4-b989-5492eafa07d3',
            },
          },
          Tags: tags,
        },
      },
    },
    Outputs: {
      [PARTICIPANT_OUTPUTS.ideUrl]: { Description: 'Open this to reach your IDE', Value: sub(`https://\${IdeDistribution.DomainName}/?folder=${IDE_FOLDER}`) },
      [PARTICIPANT_OUTPUTS.idePassword]: {
        Description: "The IDE's password: open this, then Retrieve secret value",
        Value: sub('https://${AWS::Region}.console.aws.amazon.com/secretsmanager/secret?name=${IdePassword}&region=${AWS::Region}'),
      },
      [PARTICIPANT_OUTPUTS.stateBucket]: { Description: `The stacks' Terraform state (${STATE_BUCKET_VARIABLE} on the IDE)`, Value: ref('StateBucket') },
      [PARTICIPANT_OUTPUTS.region]: { Description: 'Where the base stack is deployed', Value: ref('AWS::Region') },
    },
  };
}

/** The template as the YAML file an instructor deploys or Workshop Studio provisions. */
export function hostedEventTemplateYaml(template = hostedEventTemplate()): string {
  return `# Generated by npm run studio from labs/hosted-event/template.ts: edit that, not this file.\n${stringify(template, { lineWidth: 0 })}`;
}
