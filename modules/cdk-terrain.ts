// CDK Terrain and its AWS provider bindings are the AWS path's toolchain, installed into
// modules/node_modules by `npm run aws:setup` (modules/package.json), so a learner who only runs
// the local labs never downloads them. Node resolves a package from the importing file's folder
// upwards, so only files under modules/ can import them by name: the rest of the project (the
// labs' stacks, the docs' synthesized mappings, the tests) imports what it needs from here.
import { createRequire } from 'node:module';

export { CloudwatchLogGroup } from '@cdktn/provider-aws/lib/cloudwatch-log-group/index.js';
export { DataAwsIamPolicyDocument } from '@cdktn/provider-aws/lib/data-aws-iam-policy-document/index.js';
export { IamPolicy } from '@cdktn/provider-aws/lib/iam-policy/index.js';
export { IamRole } from '@cdktn/provider-aws/lib/iam-role/index.js';
export { IamRolePolicy } from '@cdktn/provider-aws/lib/iam-role-policy/index.js';
export { IamRolePolicyAttachment } from '@cdktn/provider-aws/lib/iam-role-policy-attachment/index.js';
export { LambdaFunction } from '@cdktn/provider-aws/lib/lambda-function/index.js';
export { MskCluster } from '@cdktn/provider-aws/lib/msk-cluster/index.js';
export { MskServerlessCluster } from '@cdktn/provider-aws/lib/msk-serverless-cluster/index.js';
export { AwsProvider } from '@cdktn/provider-aws/lib/provider/index.js';
export { SecurityGroup } from '@cdktn/provider-aws/lib/security-group/index.js';
export { SecurityGroupRule } from '@cdktn/provider-aws/lib/security-group-rule/index.js';
export { SqsQueue } from '@cdktn/provider-aws/lib/sqs-queue/index.js';
export { VpcSecurityGroupIngressRule } from '@cdktn/provider-aws/lib/vpc-security-group-ingress-rule/index.js';
export { App, DataTerraformRemoteStateLocal, DataTerraformRemoteStateS3, Fn, LocalBackend, S3Backend, TerraformOutput, TerraformStack, Testing } from 'cdktn';
export { Construct } from 'constructs';

/** `require` as seen from modules/, for the toolchain's own files (such as a package.json). */
export const requireFromModules = createRequire(import.meta.url);
