// Least-privilege policy statements, written once. A statement never combines a wildcard
// resource with a Kafka, MSK or SQS action: assertScoped() refuses it at synth time.

export interface Statement {
  /** Shown as the statement's Sid: what the permission is for. */
  sid: string;
  actions: string[];
  resources: string[];
}

/** Services whose actions must always name their resources. */
const SCOPED_SERVICES = ['kafka', 'kafka-cluster', 'sqs', 'logs', 'lambda'];

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

/** Throws when a statement would grant `*` actions or `*` resources on a scoped service. */
export function assertScoped(statement: Statement): Statement {
  const where = `IAM statement ${statement.sid}`;
  if (statement.actions.length === 0) throw new Error(`${where} has no actions.`);
  if (statement.resources.length === 0) throw new Error(`${where} has no resources.`);
  for (const action of statement.actions) {
    if (action === '*' || action.endsWith(':*')) {
      throw new Error(`${where} grants "${action}": list the actions it needs instead.`);
    }
  }
  if (statement.resources.includes('*')) {
    const scoped = statement.actions.filter((a) => SCOPED_SERVICES.includes(a.split(':')[0]));
    if (scoped.length > 0) {
      throw new Error(`${where} grants ${scoped.join(', ')} on "*": name the cluster, topic, group, queue or log group instead.`);
    }
  }
  return statement;
}
