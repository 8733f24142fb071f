// How long an event source mapping may take to settle. A Kafka mapping starts its pollers in the
// cluster's VPC and can stay Creating, Enabling or Deleting for minutes. Terraform waits this long
// for the provider's create, update and delete of aws_lambda_event_source_mapping (its timeouts
// block), and the deploy waits as long after apply for a mapping to leave Creating, Updating or
// Enabling (labs/deploy/aws-checks.ts), so neither gives up on a mapping the other would wait for.

export const ESM_SETTLE_MINUTES = 15;

/** The aws_lambda_event_source_mapping timeouts block. */
export const ESM_TIMEOUTS = {
  create: `${ESM_SETTLE_MINUTES}m`,
  update: `${ESM_SETTLE_MINUTES}m`,
  delete: `${ESM_SETTLE_MINUTES}m`,
} as const;
