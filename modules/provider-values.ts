// What the pinned Terraform AWS provider accepts for the enum-like arguments the workshop sets.
//
// hashicorp/aws checks these arguments at plan time against the enums of the AWS SDK for Go v2 it
// was compiled with (internal/service/lambda/event_source_mapping.go: metrics_config.metrics and
// function_response_types use enum.Validate of the SDK's lambda types; starting_position too).
// A value AWS added after that SDK version is refused by `terraform plan` although the Lambda API
// takes it. So every value the stacks send is looked up here, per provider version, with the
// source of each list; test/stacks/provider-values.test.ts holds every synthesized stack to it.

/** The provider every stack requires: the one @cdktn/provider-aws 25.7.0 is generated from. */
export const PINNED_AWS_PROVIDER = '6.66.0';

export interface AcceptedValues {
  /** The Terraform argument, as resource.block.argument. */
  argument: string;
  values: readonly string[];
  /** Where the list comes from. */
  source: string;
}

export interface ProviderValues {
  esmMetrics: AcceptedValues;
  functionResponseTypes: AcceptedValues;
  startingPositions: AcceptedValues;
  /** Kinds of destination_config.on_failure.destination_arn: an ARN, or kafka://<topic>. */
  onFailureDestinationKinds: AcceptedValues;
  runtimes: AcceptedValues;
  architectures: AcceptedValues;
}

const ESM_SOURCE = 'terraform-provider-aws internal/service/lambda/event_source_mapping.go (enum.Validate of aws-sdk-go-v2 service/lambda types)';
const SDK_LAMBDA_1_88 =
  'aws-sdk-go-v2 service/lambda v1.88.0 (2026-01-28) added ErrorCount and KafkaMetrics ("ESM Metrics and logging for Kafka ESM", service/lambda/CHANGELOG.md); provider 6.42 and later build with service/lambda v1.90.0 (go.mod)';
const KAFKA_DESTINATION =
  'kafka://<topic> accepted since provider 6.28.0 (hashicorp/terraform-provider-aws#45802, fixing #45801); before that destination_arn had to be an ARN';

const SHARED = {
  functionResponseTypes: {
    argument: 'aws_lambda_event_source_mapping.function_response_types',
    values: ['ReportBatchItemFailures'],
    source: `${ESM_SOURCE}: FunctionResponseType has the one value`,
  },
  startingPositions: {
    argument: 'aws_lambda_event_source_mapping.starting_position',
    values: ['TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP'],
    source: `${ESM_SOURCE}: EventSourcePosition`,
  },
  runtimes: {
    argument: 'aws_lambda_function.runtime',
    // Only the runtime the workshop deploys: the provider takes every value of the SDK's Runtime enum.
    values: ['nodejs22.x'],
    source: 'terraform-provider-aws internal/service/lambda/function.go (enum.Validate of Runtime; nodejs22.x since aws-sdk-go-v2 service/lambda v1.67.0)',
  },
  architectures: {
    argument: 'aws_lambda_function.architectures',
    values: ['x86_64', 'arm64'],
    source: 'terraform-provider-aws internal/service/lambda/function.go (enum.Validate of Architecture, one item)',
  },
} as const;

/**
 * The table per provider version. 6.25.0 is the version the archived @cdktf/provider-aws 21.22.1
 * was generated from, kept to show why the workshop moved: it refuses ErrorCount, KafkaMetrics
 * and kafka:// destinations that AWS accepts.
 */
export const PROVIDER_VALUES: Record<string, ProviderValues> = {
  // The provider the CI machines mirror (the rehearsal's, modules/provider-rehearsal.ts): its own
  // `terraform validate` refuses the values left out here (test/stacks/terraform-validate.test.ts).
  '5.100.0': {
    ...SHARED,
    esmMetrics: {
      argument: 'aws_lambda_event_source_mapping.metrics_config.metrics',
      values: ['EventCount'],
      source: `${ESM_SOURCE}; 5.100.0 builds with a service/lambda older than v1.88.0, whose EventSourceMappingMetric is EventCount only`,
    },
    onFailureDestinationKinds: {
      argument: 'aws_lambda_event_source_mapping.destination_config.on_failure.destination_arn',
      values: ['arn'],
      source: KAFKA_DESTINATION,
    },
  },
  '6.25.0': {
    ...SHARED,
    esmMetrics: {
      argument: 'aws_lambda_event_source_mapping.metrics_config.metrics',
      values: ['EventCount'],
      source: `${ESM_SOURCE}; 6.25.0 (2025-12-04) builds with a service/lambda older than v1.88.0, whose EventSourceMappingMetric is EventCount only`,
    },
    onFailureDestinationKinds: {
      argument: 'aws_lambda_event_source_mapping.destination_config.on_failure.destination_arn',
      values: ['arn'],
      source: KAFKA_DESTINATION,
    },
  },
  '6.66.0': {
    ...SHARED,
    esmMetrics: {
      argument: 'aws_lambda_event_source_mapping.metrics_config.metrics',
      values: ['EventCount', 'ErrorCount', 'KafkaMetrics'],
      source: `${ESM_SOURCE}; ${SDK_LAMBDA_1_88}`,
    },
    onFailureDestinationKinds: {
      argument: 'aws_lambda_event_source_mapping.destination_config.on_failure.destination_arn',
      values: ['arn', 'kafka'],
      source: KAFKA_DESTINATION,
    },
  },
};

/** The pinned provider's table. */
export const ACCEPTED = PROVIDER_VALUES[PINNED_AWS_PROVIDER];

/** 'arn' or 'kafka' for a destination_arn value; undefined for anything else. */
export function destinationKind(destination: string): string | undefined {
  if (destination.startsWith('kafka://')) return 'kafka';
  if (destination.startsWith('arn:') || destination.includes('${')) return 'arn';
  return undefined;
}
