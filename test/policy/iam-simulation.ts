// Runs a synthesized role's policy through IAM's evaluation logic (@cloud-copilot/iam-simulate)
// on concrete ARNs. The stacks write ARNs as Terraform expressions (a cluster ARN from the base
// stack's state, `replace(<cluster>, ":cluster/", ":topic/")/bookings`, a queue's `.arn`); they are
// resolved here against one sample account, region and cluster, so a topic, group or queue ARN
// is exactly what AWS would check.
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { resourcesOf, type Statement, type TfJson } from './rules.ts';

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
/** An MSK Serverless cluster ARN of the documented shape (cluster/<name>/<uuid>-s<n>). */
export const SAMPLE_CLUSTER_ARN = `arn:aws:kafka:${REGION}:${ACCOUNT}:cluster/klw-cluster/7c3a1f0e-4b2d-4c8e-9a61-2f5d8e0b1c34-s1`;

export const topicArn = (topic: string, cluster = SAMPLE_CLUSTER_ARN) => `${cluster.replace(':cluster/', ':topic/')}/${topic}`;
export const groupArn = (group: string, cluster = SAMPLE_CLUSTER_ARN) => `${cluster.replace(':cluster/', ':group/')}/${group}`;
export const queueArn = (name: string) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
/** A Glue registry's ARN, or a schema's (`<registry>/<schema>`): glue/latest/dg/glue-specifying-resource-arns.html. */
export const glueArn = (kind: 'registry' | 'schema', name: string) => `arn:aws:glue:${REGION}:${ACCOUNT}:${kind}/${name}`;
export const logStreamArn = (logGroup: string) => `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${logGroup}:log-stream:2026/12/04/[$LATEST]0123456789abcdef`;

/** The value of one Terraform expression (without `${}`), or an Error naming what is not known. */
function evaluate(tf: TfJson, expr: string): string {
  const replace = /^replace\((.*), "(.*)", "(.*)"\)$/.exec(expr.trim());
  if (replace) return evaluate(tf, replace[1]).split(replace[2]).join(replace[3]);
  const ref = /^(?:data\.)?([\w-]+)\.([\w-]+)\.(.+)$/.exec(expr.trim());
  if (ref) {
    const [, type, name, attr] = ref;
    if (type === 'terraform_remote_state' && attr === 'outputs.cluster_arn') return SAMPLE_CLUSTER_ARN;
    if (type === 'aws_partition' && attr === 'partition') return 'aws';
    if (type === 'aws_caller_identity' && attr === 'account_id') return ACCOUNT;
    if ((type === 'aws_msk_serverless_cluster' || type === 'aws_msk_cluster') && attr === 'arn') return SAMPLE_CLUSTER_ARN;
    const resource = resourcesOf(tf, type).find((r) => r.name === name);
    if (resource && attr === 'arn' && type === 'aws_sqs_queue') return queueArn(resource.block.name);
    if (resource && attr === 'arn' && type === 'aws_sns_topic') return `arn:aws:sns:${REGION}:${ACCOUNT}:${resource.block.name}`;
    // A bucket named from a prefix gets Terraform's suffix at apply: a sample one here.
    if (resource && attr === 'arn' && type === 'aws_s3_bucket') return `arn:aws:s3:::${resource.block.bucket_prefix}20261205000000000000000001`;
    if (resource && attr === 'arn' && type === 'aws_glue_registry') return glueArn('registry', resource.block.registry_name);
    if (resource && attr === 'arn' && type === 'aws_cloudwatch_log_group') return `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${resource.block.name}`;
  }
  throw new Error(`cannot resolve the Terraform expression \${${expr}} to a sample ARN (test/policy/iam-simulation.ts)`);
}

/** A policy resource with every `${...}` replaced by its sample value. */
export function resolve(tf: TfJson, value: string): string {
  return value.replace(/\$\{((?:[^{}]|\{[^{}]*\})*)\}/g, (_, expr: string) => evaluate(tf, expr));
}

export type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

/** What IAM decides for `action` on `resource` under the role's statements (identity policy only). */
export async function decide(tf: TfJson, statements: Statement[], action: string, resource: string): Promise<Decision> {
  const policy = {
    Version: '2012-10-17',
    Statement: statements.map((s) => ({
      Effect: s.effect,
      Action: s.actions,
      Resource: s.resources.map((r) => resolve(tf, r)),
    })),
  };
  const result = await runSimulation(
    {
      request: { principal: `arn:aws:iam::${ACCOUNT}:role/klw-sample`, action, resource: { resource, accountId: ACCOUNT }, contextVariables: {} },
      identityPolicies: [{ name: 'role-policy', policy }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(`simulating ${action} on ${resource}: ${JSON.stringify(result.errors)}`);
  return result.overallResult as Decision;
}
