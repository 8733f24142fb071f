// Least-privilege policy statements, written once. A statement never combines a wildcard
// resource with a Kafka, MSK or SQS action that has a resource type, and never grants a
// wildcard-only action on anything but "*": assertScoped() refuses both at synth time.

export interface Statement {
  /** Shown as the statement's Sid: what the permission is for. */
  sid: string;
  actions: string[];
  resources: string[];
}

/** Services whose actions must always name their resources. */
const SCOPED_SERVICES = ['kafka', 'kafka-cluster', 'sqs', 'sns', 's3', 'logs', 'lambda'];

/**
 * The EC2 network-interface actions Lambda needs to attach a VPC function, or an MSK event
 * source mapping's pollers, to the VPC: the MSK ESM set (Create/Describe/DeleteNetworkInterface,
 * DescribeVpcs/Subnets/SecurityGroups, lambda/latest/dg/with-msk-permissions.html) and the VPC
 * function set (adds Assign/UnassignPrivateIpAddresses, configuration-vpc.html). The Describe
 * actions have no resource type, so this is the one statement with `*` resources.
 */
export const NETWORK_INTERFACE_STATEMENT: Statement = {
  sid: 'VpcNetworkInterfaces',
  actions: [
    'ec2:CreateNetworkInterface',
    'ec2:DescribeNetworkInterfaces',
    'ec2:DeleteNetworkInterface',
    'ec2:AssignPrivateIpAddresses',
    'ec2:UnassignPrivateIpAddresses',
    'ec2:DescribeVpcs',
    'ec2:DescribeSubnets',
    'ec2:DescribeSecurityGroups',
  ],
  resources: ['*'],
};

/**
 * Actions that have no resource type in the Service Authorization Reference: IAM authorizes them
 * against "*" only, so a statement that names a resource never grants them. kafka:GetBootstrapBrokers
 * is one ("Actions defined by Amazon Managed Streaming for Apache Kafka"; the managed policy
 * AWSLambdaMSKExecutionRole grants it on "*"), and the EC2 Describe actions Lambda's network
 * interfaces need. test/policy/iam-data.test.ts checks this list against AWS's action data.
 */
export const WILDCARD_ONLY_ACTIONS: readonly string[] = [
  'kafka:GetBootstrapBrokers',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeVpcs',
  'ec2:DescribeSubnets',
  'ec2:DescribeSecurityGroups',
];

const isWildcardOnly = (action: string) => WILDCARD_ONLY_ACTIONS.some((a) => a.toLowerCase() === action.toLowerCase());

/**
 * Throws when a statement would grant `*` actions, `*` resources on a scoped service (other than
 * for a wildcard-only action), or a wildcard-only action on a named resource (which grants nothing).
 */
export function assertScoped(statement: Statement): Statement {
  const where = `IAM statement ${statement.sid}`;
  if (statement.actions.length === 0) throw new Error(`${where} has no actions.`);
  if (statement.resources.length === 0) throw new Error(`${where} has no resources.`);
  for (const action of statement.actions) {
    if (action === '*' || action.endsWith(':*')) {
      throw new Error(`${where} grants "${action}": list the actions it needs instead.`);
    }
  }
  const named = statement.resources.filter((r) => r !== '*');
  const wildcardOnly = statement.actions.filter(isWildcardOnly);
  if (wildcardOnly.length > 0 && named.length > 0) {
    throw new Error(
      `${where} grants ${wildcardOnly.join(', ')} on ${named.join(', ')}: AWS authorizes these actions only on "*" (they have no resource type), so the grant would allow nothing. Put them in a statement of their own with resources ["*"].`,
    );
  }
  if (statement.resources.includes('*')) {
    const scoped = statement.actions.filter((a) => SCOPED_SERVICES.includes(a.split(':')[0]) && !isWildcardOnly(a));
    if (scoped.length > 0) {
      throw new Error(`${where} grants ${scoped.join(', ')} on "*": name the cluster, topic, group, queue or log group instead.`);
    }
  }
  return statement;
}
