// Shared fixtures for the AWS target tests: deploy outputs shaped like .deploy/outputs.json, event
// source mappings shaped like GetEventSourceMapping answers for a lab as deployed, and the log
// events a processor writes. Nothing here talks to AWS.

import type { EsmConfiguration } from '../../../harness/targets/aws-esm-check.ts';
import type { LabSpec } from '../../../labs/lab-spec.ts';
import type { DeployedOutputs } from '../../../labs/stack-contract.ts';

export const REGION = 'eu-west-1';
export const ACCOUNT = '123456789012';
export const KAFKA_ESM_UUID = '11111111-2222-3333-4444-555555555555';
export const SQS_ESM_UUID = '66666666-7777-8888-9999-000000000000';
export const CLUSTER_ARN = `arn:aws:kafka:${REGION}:${ACCOUNT}:cluster/klw-kafka/abcd-1`;

export function fnName(lab: Pick<LabSpec, 'id'>, role: string): string {
  return `klw-${lab.id}-${role}`;
}

export function queueUrl(name: string): string {
  return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${name}`;
}

export function queueArn(name: string): string {
  return `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
}

/** The outputs `npm run deploy -- <lab>` records for a lab (names from labs/stack-contract.ts). */
/** The participant's Glue registry, as a schema registry lab's stack outputs it. */
export const SCHEMA_REGISTRY_ARN = `arn:aws:glue:${REGION}:${ACCOUNT}:registry/klw-booking-schemas`;

export function deployedOutputsFor(lab: LabSpec): DeployedOutputs {
  const outputs: Record<string, unknown> = {
    region: REGION,
    lab_id: lab.id,
    topic: lab.topic.name,
    kafka_esm_uuid: KAFKA_ESM_UUID,
    kafka_consumer_function_name: lab.sqsBuffer ? fnName(lab, 'sqs-forwarder') : fnName(lab, 'booking-processor'),
    processor_function_name: lab.sqsBuffer ? fnName(lab, 'sqs-processor') : fnName(lab, 'booking-processor'),
  };
  if (lab.sqsBuffer) {
    outputs.forwarder_function_name = fnName(lab, 'sqs-forwarder');
    outputs.sqs_esm_uuid = SQS_ESM_UUID;
    outputs.buffer_queue_url = queueUrl(`klw-${lab.id}-buffer`);
    outputs.buffer_dlq_url = queueUrl(`klw-${lab.id}-buffer-dlq`);
  }
  if (lab.kafkaEsm.schemaRegistry || lab.traffic.valueFormat === 'avro') outputs.schema_registry_arn = SCHEMA_REGISTRY_ARN;
  if (lab.kafkaEsm.onFailure?.kind === 'sqs') {
    outputs.on_failure_destination = queueArn(`klw-${lab.kafkaEsm.onFailure.queueName}`);
    outputs.on_failure_queue_url = queueUrl(`klw-${lab.kafkaEsm.onFailure.queueName}`);
  }
  return {
    region: REGION,
    base: {
      region: REGION,
      cluster_arn: CLUSTER_ARN,
      producer_function_name: 'klw-producer',
      topic_admin_function_name: 'klw-topic-admin',
      dashboard_name: 'klw-dashboard',
      topics: [{ name: 'bookings', partitions: 12 }],
    },
    lab: { id: lab.id, stack: `lab-${lab.id}`, outputs },
  };
}

/** The Kafka ESM as GetEventSourceMapping would report it right after deploying `lab`. */
export function deployedKafkaEsm(lab: LabSpec): EsmConfiguration {
  const esm = lab.kafkaEsm;
  const outputs = deployedOutputsFor(lab).lab!.outputs;
  const config: EsmConfiguration = {
    UUID: KAFKA_ESM_UUID,
    State: 'Enabled',
    StateTransitionReason: 'USER_INITIATED',
    EventSourceArn: CLUSTER_ARN,
    FunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${outputs.kafka_consumer_function_name}`,
    Topics: [lab.topic.name],
    StartingPosition: esm.startingPosition,
    BatchSize: esm.batchSize,
    AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: esm.consumerGroupId ?? 'generated-group-id' },
  };
  if (esm.schemaRegistry) {
    config.AmazonManagedKafkaEventSourceConfig!.SchemaRegistryConfig = {
      SchemaRegistryURI: SCHEMA_REGISTRY_ARN,
      EventRecordFormat: esm.schemaRegistry.eventRecordFormat,
      SchemaValidationConfigs: esm.schemaRegistry.validate.map((Attribute) => ({ Attribute })),
    };
  }
  if (esm.metrics?.length) config.MetricsConfig = { Metrics: [...esm.metrics] };
  if (esm.systemLogLevel) config.LoggingConfig = { SystemLogLevel: esm.systemLogLevel };
  if (esm.batchingWindowSeconds !== undefined) config.MaximumBatchingWindowInSeconds = esm.batchingWindowSeconds;
  if (esm.provisionedPollers) {
    config.ProvisionedPollerConfig = { MinimumPollers: esm.provisionedPollers.minimum, MaximumPollers: esm.provisionedPollers.maximum };
    if (esm.provisionedPollers.pollerGroupName) config.ProvisionedPollerConfig.PollerGroupName = esm.provisionedPollers.pollerGroupName;
  }
  if (esm.filters.length > 0) config.FilterCriteria = { Filters: esm.filters.map((f) => ({ Pattern: JSON.stringify(f) })) };
  if (esm.maximumRetryAttempts !== undefined) config.MaximumRetryAttempts = esm.maximumRetryAttempts;
  if (esm.maximumRecordAgeSeconds !== undefined) config.MaximumRecordAgeInSeconds = esm.maximumRecordAgeSeconds;
  if (esm.bisectBatchOnFunctionError !== undefined) config.BisectBatchOnFunctionError = esm.bisectBatchOnFunctionError;
  config.FunctionResponseTypes = esm.reportBatchItemFailures ? ['ReportBatchItemFailures'] : [];
  if (typeof outputs.on_failure_destination === 'string') config.DestinationConfig = { OnFailure: { Destination: outputs.on_failure_destination } };
  return config;
}

/** Lab 3's SQS ESM as GetEventSourceMapping would report it. */
export function deployedSqsEsm(lab: LabSpec): EsmConfiguration {
  const buffer = lab.sqsBuffer!;
  const config: EsmConfiguration = {
    UUID: SQS_ESM_UUID,
    State: 'Enabled',
    EventSourceArn: queueArn(`klw-${lab.id}-buffer`),
    FunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${fnName(lab, 'sqs-processor')}`,
    BatchSize: buffer.batchSize,
    MaximumBatchingWindowInSeconds: buffer.batchingWindowSeconds ?? 0,
    FunctionResponseTypes: ['ReportBatchItemFailures'],
  };
  if (buffer.maximumConcurrency !== undefined) config.ScalingConfig = { MaximumConcurrency: buffer.maximumConcurrency };
  if (buffer.provisionedPollers)
    config.ProvisionedPollerConfig = { MinimumPollers: buffer.provisionedPollers.minimum, MaximumPollers: buffer.provisionedPollers.maximum };
  return config;
}

export interface ProcessedFixture {
  seq: number;
  endToEndMs?: number;
  runId?: string;
}

export interface FailedFixture {
  seq?: number;
  runId?: string;
  partition?: number;
  offset?: number;
  messageId?: string;
  reason?: string;
}

/** A "batch processed" line exactly as Powertools Logger writes it (handlers/shared/telemetry.ts). */
export function batchLineMessage(
  runId: string,
  processed: ProcessedFixture[],
  failed: FailedFixture[] = [],
  batchSize = processed.length + failed.length,
): string {
  return JSON.stringify({
    level: 'INFO',
    message: 'batch processed',
    sampling_rate: 0,
    service: 'booking-processor',
    timestamp: '2026-01-01T00:00:00.000Z',
    xray_trace_id: '1-abc',
    lab: '04-best-practices',
    batchSize,
    processed: processed.map((p) => ({ runId: p.runId ?? runId, seq: p.seq, endToEndMs: p.endToEndMs ?? 40 })),
    failed: failed.map((f) => ({ runId: f.runId ?? runId, ...f, reason: f.reason ?? 'not a booking: poison' })),
  });
}

/** An on-failure destination message body for a Kafka batch (kafka-on-failure.html's shape). */
export function onFailureBody(topic: string, ranges: Array<{ partition: number; first: number; last: number }>, at = '2026-01-01T00:01:00.000Z'): string {
  const recordsInfo: Record<string, unknown> = {};
  for (const r of ranges) {
    recordsInfo[`${topic}-${r.partition}`] = {
      firstRecordOffset: String(r.first),
      lastRecordOffset: String(r.last),
      firstRecordTimestamp: at,
      lastRecordTimestamp: at,
    };
  }
  return JSON.stringify({
    requestContext: {
      requestId: 'req-1',
      functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:f',
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 3,
    },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    version: '1.0',
    timestamp: at,
    KafkaBatchInfo: {
      batchSize: ranges.reduce((n, r) => n + r.last - r.first + 1, 0),
      eventSourceArn: CLUSTER_ARN,
      bootstrapServers: 'b-1:9098',
      payloadSize: 100,
      recordsInfo,
    },
  });
}

/** An error shaped like the SDK's service exceptions (name, $metadata), without the SDK's classes. */
export function awsError(name: string, message = name, extra: Record<string, unknown> = {}): Error {
  const error = new Error(message);
  error.name = name;
  Object.assign(error, { $metadata: { httpStatusCode: name === 'TooManyRequestsException' ? 429 : 400 }, $fault: 'client', ...extra });
  return error;
}

/** JSON bytes as Invoke returns a payload: a Uint8Array with the SDK's transformToString. */
export function jsonBytes(value: unknown): Uint8Array & { transformToString(encoding?: string): string } {
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  return Object.assign(bytes, { transformToString: () => new TextDecoder().decode(bytes) });
}

export const noSleep = async (): Promise<void> => {};
