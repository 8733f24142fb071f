// Is a deployed event source mapping working? `State: Enabled` only says it is switched on: a
// Kafka mapping that cannot reach its brokers, assume its role or read its topic stays Enabled
// and reports the cause in LastProcessingResult, prefixed "PROBLEM:" (API_EventSourceMappingConfiguration.html).
// A run against it would count every event as lost; deploy and the pre-run check (harness) turn
// AWS's message into the likely fix first. The messages and fixes are AWS's: lambda/latest/dg/with-kafka-troubleshoot.html,
// with-msk-cluster-network.html, and for the network ones
// repost.aws/knowledge-center/lambda-trigger-msk-kafka-cluster.
import type { GetEventSourceMappingCommandOutput } from '@aws-sdk/client-lambda';

/** The fields of GetEventSourceMapping that say whether a mapping works. */
export type MappingStatus = Pick<GetEventSourceMappingCommandOutput, 'UUID' | 'State' | 'StateTransitionReason' | 'LastProcessingResult'>;

const TROUBLESHOOT = 'https://docs.aws.amazon.com/lambda/latest/dg/with-kafka-troubleshoot.html';

/** The likely fix for each documented LastProcessingResult problem, first match wins. */
const KNOWN_PROBLEMS: { match: RegExp; fix: string }[] = [
  {
    match: /Cluster failed to authorize Lambda/i,
    fix: 'the function role may not read the topic or the consumer group: it needs kafka-cluster:DescribeTopic and ReadData on the topic ARN and DescribeGroup and AlterGroup on the group ARN, whose name is the mapping UUID unless the lab sets a consumer group id (modules/kafka-consumer.ts grants these; redeploy the lab if the role was changed). Changes take a few minutes to reach the pollers',
  },
  {
    match: /SASL authentication failed/i,
    fix: 'the function role may not connect to the cluster: it needs kafka-cluster:Connect on the cluster ARN. If it has it, the brokers may be at their connection limit; Lambda retries and the result turns OK',
  },
  {
    match: /failed to assume your function execution role/i,
    fix: "the pollers cannot reach STS from the cluster VPC: the base stack's STS interface endpoint must exist with private DNS, its security group must allow 443 from the workload group, and the role must trust lambda.amazonaws.com",
  },
  {
    match: /Connection error.*(Lambda and STS|OnFailure Destination)/i,
    fix: 'the cluster VPC cannot reach Lambda, STS or the on-failure destination: the base stack creates interface endpoints for Lambda and STS, and a lab with an SQS destination one for SQS (modules/network.ts); check they exist and allow 443 from the workload security group',
  },
  {
    match: /Connection error/i,
    fix: "the pollers cannot reach the brokers: the cluster must be ACTIVE and its security group must allow port 9098 from itself (the pollers use the cluster's subnets and security groups)",
  },
];

/** StateTransitionReason values a Kafka mapping is disabled with (with-kafka-troubleshoot.html). */
const DISABLED_BECAUSE: Record<string, string> = {
  ESM_CONFIG_NOT_VALID: 'its configuration is not valid',
  EVENT_SOURCE_AUTHN_ERROR: 'it could not authenticate to the cluster',
  EVENT_SOURCE_AUTHZ_ERROR: 'it is not authorized to read the topic or group',
  FUNCTION_CONFIG_NOT_VALID: "the function's configuration is not valid",
};

/**
 * What is wrong with a mapping, in one paragraph with AWS's message and the likely fix; undefined
 * while AWS reports no problem ("OK", "No records processed", or nothing yet).
 */
export function mappingProblem(mapping: MappingStatus, what: string, labId: string): string | undefined {
  const name = `The ${what} ${mapping.UUID ?? ''}`.trimEnd();
  const result = mapping.LastProcessingResult?.trim();
  if (result && /^PROBLEM:/i.test(result)) {
    const fix = KNOWN_PROBLEMS.find((p) => p.match.test(result))?.fix ?? `see ${TROUBLESHOOT} for this message`;
    return `${name} is ${mapping.State ?? 'in an unknown state'} but reports "${result}" (LastProcessingResult): ${fix}. Then run again; \`npm run deploy -- ${labId}\` re-applies the lab.`;
  }
  const reason = mapping.StateTransitionReason?.trim() ?? '';
  if (mapping.State === 'Disabled' && DISABLED_BECAUSE[reason]) {
    return `${name} was disabled by Lambda because ${DISABLED_BECAUSE[reason]} (${reason}; ${TROUBLESHOOT}): fix the cause, then enable it or redeploy with \`npm run deploy -- ${labId}\`.`;
  }
  return undefined;
}
