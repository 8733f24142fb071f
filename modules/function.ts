// One Lambda function of the workshop: the esbuild bundle of a handler (the same file the local
// sandbox runs), zipped by a TerraformAsset; Node.js 22 on arm64; its own log group with a
// retention; and a role that carries exactly the statements its caller passes, plus logging to
// its own log group (and VPC network interfaces when it runs in the VPC).

import { CloudwatchLogGroup } from '@cdktn/provider-aws/lib/cloudwatch-log-group/index.js';
import { DataAwsIamPolicyDocument } from '@cdktn/provider-aws/lib/data-aws-iam-policy-document/index.js';
import { IamRole } from '@cdktn/provider-aws/lib/iam-role/index.js';
import { IamRolePolicy } from '@cdktn/provider-aws/lib/iam-role-policy/index.js';
import { LambdaFunction } from '@cdktn/provider-aws/lib/lambda-function/index.js';
import { AssetType, Fn, TerraformAsset } from 'cdktn';
import { Construct } from 'constructs';
import { bundleHandlerSync, type HandlerName, LEARNER_BUNDLES } from '../handlers/bundle.ts';
import { assertScoped, NETWORK_INTERFACE_STATEMENT, type Statement } from './iam.ts';

export type { HandlerName };

export const RUNTIME = 'nodejs22.x';
export const ARCHITECTURE = 'arm64';
export const DEFAULT_LOG_RETENTION_DAYS = 7;

export interface VpcPlacement {
  subnetIds: string[];
  securityGroupIds: string[];
}

export interface WorkshopFunctionProps {
  handler: HandlerName;
  /** A learner's source for the handler (their exercise's booking-processor.ts), bundled in its place. */
  source?: string;
  functionName: string;
  description: string;
  memoryMb: number;
  timeoutSeconds: number;
  /** Unset: the function draws from the account's unreserved concurrency. */
  reservedConcurrency?: number;
  environment: Record<string, string>;
  /** Everything the function (or its event source mappings) may do, besides its own logs. */
  statements: Statement[];
  /** Only functions that talk to Kafka themselves run in the VPC. */
  vpc?: VpcPlacement;
  /**
   * The EC2 network-interface statement, needed by VPC functions and by any function behind
   * an MSK event source mapping (the ESM creates its pollers' ENIs in the cluster VPC with the
   * function's role). Default: when `vpc` is set.
   */
  networkInterfaces?: boolean;
  logRetentionDays?: number;
}

export class WorkshopFunction extends Construct {
  readonly functionName: string;
  readonly arn: string;
  readonly roleArn: string;
  readonly logGroupName: string;
  readonly lambda: LambdaFunction;

  constructor(scope: Construct, id: string, props: WorkshopFunctionProps) {
    super(scope, id);
    const bundle = bundleHandlerSync(props.handler, props.source ? { entry: props.source, outRoot: LEARNER_BUNDLES } : {});
    const code = new TerraformAsset(this, 'code', { path: bundle.dir, type: AssetType.ARCHIVE, assetHash: bundle.sha256 });

    const logGroup = new CloudwatchLogGroup(this, 'logs', {
      name: `/aws/lambda/${props.functionName}`,
      retentionInDays: props.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS,
    });
    this.logGroupName = logGroup.name;

    const assumeRole = new DataAwsIamPolicyDocument(this, 'assume-role', {
      statement: [
        {
          effect: 'Allow',
          actions: ['sts:AssumeRole'],
          principals: [{ type: 'Service', identifiers: ['lambda.amazonaws.com'] }],
        },
      ],
    });
    const role = new IamRole(this, 'role', {
      name: props.functionName,
      description: `Execution role of ${props.functionName}`,
      assumeRolePolicy: assumeRole.json,
    });
    this.roleArn = role.arn;

    const statements: Statement[] = [
      { sid: 'OwnLogGroup', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${logGroup.arn}:*`] },
      ...props.statements,
      ...((props.networkInterfaces ?? props.vpc !== undefined) ? [NETWORK_INTERFACE_STATEMENT] : []),
    ].map(assertScoped);
    const policy = new DataAwsIamPolicyDocument(this, 'policy', {
      statement: statements.map((s) => ({ sid: s.sid, effect: 'Allow', actions: s.actions, resources: s.resources })),
    });
    const rolePolicy = new IamRolePolicy(this, 'role-policy', {
      name: 'least-privilege',
      role: role.id,
      policy: policy.json,
    });

    this.lambda = new LambdaFunction(this, 'function', {
      functionName: props.functionName,
      description: props.description,
      role: role.arn,
      runtime: RUNTIME,
      architectures: [ARCHITECTURE],
      handler: 'index.handler',
      filename: code.path,
      sourceCodeHash: Fn.filebase64sha256(code.path),
      memorySize: props.memoryMb,
      timeout: props.timeoutSeconds,
      reservedConcurrentExecutions: props.reservedConcurrency,
      environment: { variables: props.environment },
      vpcConfig: props.vpc ? { subnetIds: props.vpc.subnetIds, securityGroupIds: props.vpc.securityGroupIds } : undefined,
      // The log group (with its retention) and the permissions exist before the first invoke,
      // and before any event source mapping validates the role.
      dependsOn: [logGroup, rolePolicy],
    });
    this.functionName = this.lambda.functionName;
    this.arn = this.lambda.arn;
  }
}
