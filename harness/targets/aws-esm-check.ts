// Before a run: is the deployed pipeline the one the LabSpec describes? GetEventSourceMapping on
// the lab's Kafka ESM (and on lab 3's SQS ESM), compared field by field with the spec as
// modules/kafka-consumer.ts and modules/sqs-buffer.ts map it. A difference is a UsageError that
// lists every field (spec value vs deployed value) and the fix, so a run never measures a
// pipeline other than the one its report names.
//
// Defaults: a spec field left unset means "the AWS default", so the deployed value may be absent
// or equal to that default (EventSourceMappingConfiguration,
// https://docs.aws.amazon.com/lambda/latest/api/API_EventSourceMappingConfiguration.html):
// BatchSize 100 (SQS: 10), MaximumRetryAttempts -1, MaximumRecordAgeInSeconds -1,
// BisectBatchOnFunctionError false, MinimumPollers 1 and MaximumPollers 200 (Kafka,
// API_ProvisionedPollerConfig.html).
//
// The batching window: for Kafka the default is 500 ms, which MaximumBatchingWindowInSeconds (whole
// seconds, 0..300) cannot express; AWS documents that once changed it cannot be set back, only
// recreated (invocation-eventsourcemapping.html#invocation-eventsourcemapping-batching). AWS does
// not document what GetEventSourceMapping reports for an untouched Kafka mapping, so an unset
// spec window accepts the field absent or 0. A spec window of 0 (lab 2) accepts only an explicit
// 0: absent means the provider dropped the 0 on create and the 500 ms default applies (see
// labs/deploy/plan.ts postApplySettings). Should AWS report the 500 ms default as 0, the two cannot be
// told apart from the API; the target says so in its notes.
import { GetEventSourceMappingCommand, type GetEventSourceMappingCommandOutput, type LambdaClient } from '@aws-sdk/client-lambda';
import { mappingProblem } from '../../labs/esm-health.ts';
import type { KafkaEsmSpec, LabSpec, PollerRange, SqsBufferSpec } from '../../labs/lab-spec.ts';
import { UsageError } from '../errors.ts';
import { explainAwsErrors } from './aws-credentials.ts';
import type { AwsLabOutputs } from './aws-outputs.ts';
import { type RetryOptions, withThrottlingRetry } from './aws-retry.ts';

export type EsmConfiguration = Omit<GetEventSourceMappingCommandOutput, '$metadata'>;

export interface EsmDifference {
  /** "Kafka ESM" or "SQS ESM". */
  mapping: string;
  /** The API field, e.g. BatchSize or ProvisionedPollerConfig.MinimumPollers. */
  field: string;
  spec: string;
  deployed: string;
}

const REPORT_BATCH_ITEM_FAILURES = 'ReportBatchItemFailures';
const KAFKA_DEFAULT_BATCH_SIZE = 100;
const SQS_DEFAULT_BATCH_SIZE = 10;
const KAFKA_DEFAULT_POLLERS = { minimum: 1, maximum: 200 };

function show(value: unknown): string {
  if (value === undefined || value === null) return 'unset';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** A pattern as comparable text: keys sorted at every level, whitespace dropped. */
export function canonicalPattern(pattern: string | object): string {
  const sort = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(sort);
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.keys(value as object)
          .sort()
          .map((k) => [k, sort((value as Record<string, unknown>)[k])]),
      );
    }
    return value;
  };
  try {
    return JSON.stringify(sort(typeof pattern === 'string' ? JSON.parse(pattern) : pattern));
  } catch {
    return String(pattern);
  }
}

class Differences {
  readonly list: EsmDifference[] = [];
  constructor(private readonly mapping: string) {}
  add(field: string, spec: unknown, deployed: unknown): void {
    this.list.push({ mapping: this.mapping, field, spec: show(spec), deployed: show(deployed) });
  }
  /** Spec unset accepts the deployed value absent or equal to the AWS default. */
  optional<T>(field: string, spec: T | undefined, deployed: T | undefined, awsDefault: T, describeUnset: string): void {
    if (spec === undefined) {
      if (deployed !== undefined && deployed !== awsDefault) this.add(field, describeUnset, deployed);
    } else if ((deployed ?? awsDefault) !== spec) {
      this.add(field, spec, deployed);
    }
  }
  pollers(spec: PollerRange | undefined, deployed: EsmConfiguration['ProvisionedPollerConfig'], defaults: PollerRange): void {
    if (spec === undefined) {
      if (deployed && (deployed.MinimumPollers !== undefined || deployed.MaximumPollers !== undefined)) {
        this.add('ProvisionedPollerConfig', 'unset (on-demand mode)', deployed);
      }
      return;
    }
    if (!deployed) {
      this.add('ProvisionedPollerConfig', { MinimumPollers: spec.minimum, MaximumPollers: spec.maximum }, 'unset (on-demand mode)');
      return;
    }
    if ((deployed.MinimumPollers ?? defaults.minimum) !== spec.minimum)
      this.add('ProvisionedPollerConfig.MinimumPollers', spec.minimum, deployed.MinimumPollers);
    if ((deployed.MaximumPollers ?? defaults.maximum) !== spec.maximum)
      this.add('ProvisionedPollerConfig.MaximumPollers', spec.maximum, deployed.MaximumPollers);
  }
  state(deployed: EsmConfiguration): void {
    if (deployed.State !== 'Enabled') {
      const reason = deployed.StateTransitionReason ? ` (${deployed.StateTransitionReason})` : '';
      this.add('State', 'Enabled', `${deployed.State ?? 'unknown'}${reason}`);
    }
  }
  functionName(expected: string, functionArn: string | undefined): void {
    const name = functionArn?.split(':function:')[1]?.split(':')[0];
    if (name !== expected) this.add('FunctionArn', `function ${expected}`, functionArn);
  }
}

/** Every field in which the deployed Kafka ESM differs from the spec. */
export function kafkaEsmDifferences(
  spec: KafkaEsmSpec,
  deployed: EsmConfiguration,
  expected: { topic: string; functionName: string; onFailureDestination?: string; schemaRegistryArn?: string },
): EsmDifference[] {
  const d = new Differences('Kafka ESM');
  d.state(deployed);
  d.functionName(expected.functionName, deployed.FunctionArn);
  if (!(deployed.Topics ?? []).includes(expected.topic)) d.add('Topics', [expected.topic], deployed.Topics);
  if ((deployed.BatchSize ?? KAFKA_DEFAULT_BATCH_SIZE) !== spec.batchSize) d.add('BatchSize', spec.batchSize, deployed.BatchSize);

  const window = deployed.MaximumBatchingWindowInSeconds;
  if (spec.batchingWindowSeconds === undefined) {
    if (window !== undefined && window !== 0) d.add('MaximumBatchingWindowInSeconds', 'unset (the 500 ms Kafka default)', window);
  } else if (window !== spec.batchingWindowSeconds) {
    d.add('MaximumBatchingWindowInSeconds', spec.batchingWindowSeconds, window === undefined ? 'unset (the 500 ms Kafka default)' : window);
  }

  if (deployed.StartingPosition !== undefined && deployed.StartingPosition !== spec.startingPosition) {
    d.add('StartingPosition', spec.startingPosition, deployed.StartingPosition);
  }
  if (spec.consumerGroupId !== undefined) {
    const group = deployed.AmazonManagedKafkaEventSourceConfig?.ConsumerGroupId ?? deployed.SelfManagedKafkaEventSourceConfig?.ConsumerGroupId;
    if (group !== spec.consumerGroupId) d.add('AmazonManagedKafkaEventSourceConfig.ConsumerGroupId', spec.consumerGroupId, group);
  }
  d.pollers(spec.provisionedPollers, deployed.ProvisionedPollerConfig, KAFKA_DEFAULT_POLLERS);
  const group = deployed.ProvisionedPollerConfig?.PollerGroupName || undefined;
  if (spec.provisionedPollers && (spec.provisionedPollers.pollerGroupName ?? undefined) !== group) {
    d.add(
      'ProvisionedPollerConfig.PollerGroupName',
      spec.provisionedPollers.pollerGroupName ?? 'unset (dedicated pollers)',
      group ?? 'unset (dedicated pollers)',
    );
  }

  const specFilters = spec.filters.map((f) => canonicalPattern(f)).sort();
  const deployedFilters = (deployed.FilterCriteria?.Filters ?? []).map((f) => canonicalPattern(f.Pattern ?? '')).sort();
  if (JSON.stringify(specFilters) !== JSON.stringify(deployedFilters)) {
    d.add('FilterCriteria.Filters', specFilters.length ? specFilters : 'none', deployedFilters.length ? deployedFilters : 'none');
  }

  d.optional('MaximumRetryAttempts', spec.maximumRetryAttempts, deployed.MaximumRetryAttempts, -1, 'unset (-1, infinite)');
  d.optional('MaximumRecordAgeInSeconds', spec.maximumRecordAgeSeconds, deployed.MaximumRecordAgeInSeconds, -1, 'unset (-1, infinite)');
  d.optional('BisectBatchOnFunctionError', spec.bisectBatchOnFunctionError, deployed.BisectBatchOnFunctionError, false, 'unset (false)');

  const reports = (deployed.FunctionResponseTypes ?? []).includes(REPORT_BATCH_ITEM_FAILURES);
  if (reports !== (spec.reportBatchItemFailures ?? false)) {
    d.add(
      'FunctionResponseTypes',
      spec.reportBatchItemFailures ? [REPORT_BATCH_ITEM_FAILURES] : 'none',
      deployed.FunctionResponseTypes?.length ? deployed.FunctionResponseTypes : 'none',
    );
  }

  const level = deployed.LoggingConfig?.SystemLogLevel;
  if ((spec.systemLogLevel ?? undefined) !== level) d.add('LoggingConfig.SystemLogLevel', spec.systemLogLevel ?? 'unset', level ?? 'unset');

  const specMetrics = [...(spec.metrics ?? [])].sort();
  const deployedMetrics = [...(deployed.MetricsConfig?.Metrics ?? [])].sort();
  if (JSON.stringify(specMetrics) !== JSON.stringify(deployedMetrics)) {
    d.add('MetricsConfig.Metrics', specMetrics.length ? specMetrics : 'none', deployedMetrics.length ? deployedMetrics : 'none');
  }

  schemaRegistryDifferences(d, spec.schemaRegistry, deployed, expected.schemaRegistryArn);

  const destination = deployed.DestinationConfig?.OnFailure?.Destination || undefined;
  if (!spec.onFailure) {
    if (destination !== undefined) d.add('DestinationConfig.OnFailure.Destination', 'unset', destination);
  } else {
    const wanted = spec.onFailure.kind === 'kafka' ? `kafka://${spec.onFailure.topic}` : expected.onFailureDestination;
    const { service, name } = destinationNamed(spec.onFailure);
    const matches =
      wanted !== undefined
        ? destination === wanted
        : destination !== undefined && destination.startsWith(`arn:aws:${service}:`) && destination.split(':').pop()?.includes(name) === true;
    if (!matches) d.add('DestinationConfig.OnFailure.Destination', wanted ?? `an ${service.toUpperCase()} destination named *${name}*`, destination);
  }
  return d.list;
}

/**
 * SchemaRegistryConfig (API_KafkaSchemaRegistryConfig.html): unset in the spec, none deployed; set,
 * the deployed one with the spec's record format and validated attributes (in any order), naming
 * the lab's registry (the stack's output; without it, any Glue registry ARN).
 */
function schemaRegistryDifferences(d: Differences, spec: KafkaEsmSpec['schemaRegistry'], deployed: EsmConfiguration, registryArn: string | undefined): void {
  const field = 'AmazonManagedKafkaEventSourceConfig.SchemaRegistryConfig';
  const config = deployed.AmazonManagedKafkaEventSourceConfig?.SchemaRegistryConfig;
  if (!spec) {
    if (config?.SchemaRegistryURI) d.add(field, 'unset', config);
    return;
  }
  if (!config?.SchemaRegistryURI) {
    d.add(field, { EventRecordFormat: spec.eventRecordFormat, validate: spec.validate }, 'unset');
    return;
  }
  const uriMatches =
    registryArn !== undefined ? config.SchemaRegistryURI === registryArn : /^arn:aws[\w-]*:glue:[^:]+:\d{12}:registry\//.test(config.SchemaRegistryURI);
  if (!uriMatches) d.add(`${field}.SchemaRegistryURI`, registryArn ?? 'a Glue registry ARN', config.SchemaRegistryURI);
  if (config.EventRecordFormat !== spec.eventRecordFormat) d.add(`${field}.EventRecordFormat`, spec.eventRecordFormat, config.EventRecordFormat);
  const wanted = [...spec.validate].sort();
  const validated = (config.SchemaValidationConfigs ?? []).map((c) => c.Attribute ?? '').sort();
  if (JSON.stringify(wanted) !== JSON.stringify(validated)) d.add(`${field}.SchemaValidationConfigs`, wanted, validated.length ? validated : 'none');
}

/** The ARN service and the name a deployed destination's ARN carries (the stacks prefix it). */
function destinationNamed(destination: NonNullable<KafkaEsmSpec['onFailure']>): { service: string; name: string } {
  switch (destination.kind) {
    case 'sqs':
      return { service: 'sqs', name: destination.queueName };
    case 'sns':
      return { service: 'sns', name: destination.topicName };
    case 's3':
      return { service: 's3', name: destination.bucketName };
    case 'kafka':
      return { service: 'kafka', name: destination.topic };
  }
}

/** Every field in which lab 3's deployed SQS ESM differs from the spec (modules/sqs-buffer.ts). */
export function sqsEsmDifferences(spec: SqsBufferSpec, deployed: EsmConfiguration, expected: { functionName: string }): EsmDifference[] {
  const d = new Differences('SQS ESM');
  d.state(deployed);
  d.functionName(expected.functionName, deployed.FunctionArn);
  if ((deployed.BatchSize ?? SQS_DEFAULT_BATCH_SIZE) !== spec.batchSize) d.add('BatchSize', spec.batchSize, deployed.BatchSize);
  d.optional('MaximumBatchingWindowInSeconds', spec.batchingWindowSeconds, deployed.MaximumBatchingWindowInSeconds, 0, 'unset (0)');
  d.optional('ScalingConfig.MaximumConcurrency', spec.maximumConcurrency, deployed.ScalingConfig?.MaximumConcurrency, undefined, 'unset (standard scaling)');
  d.pollers(spec.provisionedPollers, deployed.ProvisionedPollerConfig, { minimum: 2, maximum: 200 });
  // modules/sqs-buffer.ts always asks for partial batch responses.
  if (!(deployed.FunctionResponseTypes ?? []).includes(REPORT_BATCH_ITEM_FAILURES)) {
    d.add('FunctionResponseTypes', [REPORT_BATCH_ITEM_FAILURES], deployed.FunctionResponseTypes?.length ? deployed.FunctionResponseTypes : 'none');
  }
  return d.list;
}

/** The UsageError text for a list of differences: one line per field, then the fix. */
/**
 * `exercise`: the spec is the learner's exercise (`workshop check --target aws`), deployed with
 * that command; a difference then means the files changed since that deploy. `deployedFrom`: the
 * lab's own spec is run, but a learner's exercise is what is deployed.
 */
export function formatDifferences(
  lab: Pick<LabSpec, 'id' | 'number'>,
  differences: EsmDifference[],
  exercise?: { deploy: string },
  deployedFrom?: string,
): string {
  const lines = differences.map((x) => `  - ${x.mapping} ${x.field}: spec ${x.spec}, deployed ${x.deployed}`);
  const stateOnly = differences.every((x) => x.field === 'State');
  const deploy = exercise?.deploy ?? `npm run deploy -- ${lab.id}`;
  const fix = stateOnly
    ? `Fix: wait until the mapping is Enabled (a new MSK mapping takes a few minutes), or enable it, then run again; if it stays so, redeploy with \`${deploy}\`.`
    : exercise
      ? `Fix: your spec.ts changed since it was deployed: redeploy it with \`${deploy}\`, then check again.`
      : deployedFrom
        ? `Fix: what is deployed is your exercise ${deployedFrom}: check it with \`npx workshop check ${lab.number} --target aws\`, or deploy the lab's own spec with \`${deploy}\`.`
        : `Fix: redeploy with \`${deploy}\` (a --set override changes only this run: put the change in labs/${lab.id}/spec.ts and redeploy, or drop the --set).`;
  return [`The deployed pipeline of lab ${lab.id} is not the one its LabSpec describes:`, ...lines, fix].join('\n');
}

/** GetEventSourceMapping, with credentials problems and a deleted mapping as one UsageError line. */
export async function getMapping(lambda: LambdaClient, labId: string, uuid: string, what: string, retry: RetryOptions): Promise<EsmConfiguration> {
  try {
    return await explainAwsErrors(`lambda:GetEventSourceMapping on the ${what}`, () =>
      withThrottlingRetry(`GetEventSourceMapping ${uuid}`, () => lambda.send(new GetEventSourceMappingCommand({ UUID: uuid })), retry),
    );
  } catch (error) {
    if ((error as { name?: string })?.name === 'ResourceNotFoundException') {
      throw new UsageError(
        `The ${what} ${uuid} named in the deploy outputs does not exist in AWS (deleted outside the workshop?): redeploy with \`npm run deploy -- ${labId}\`.`,
      );
    }
    throw error;
  }
}

/**
 * Reads the lab's mappings and throws a UsageError for a mapping AWS reports a problem with (its
 * message and the likely fix), or listing every difference from the spec.
 */
export async function checkDeployedMappings(
  lambda: LambdaClient,
  lab: LabSpec,
  outputs: AwsLabOutputs,
  retry: RetryOptions = {},
  exercise?: { deploy: string },
): Promise<EsmConfiguration[]> {
  const kafka = await getMapping(lambda, lab.id, outputs.kafkaEsmUuid, 'Kafka event source mapping', retry);
  const kafkaProblem = mappingProblem(kafka, 'Kafka event source mapping', lab.id);
  if (kafkaProblem) throw new UsageError(kafkaProblem);
  const differences = kafkaEsmDifferences(lab.kafkaEsm, kafka, {
    topic: outputs.topic,
    functionName: outputs.kafkaConsumerFunctionName,
    onFailureDestination: outputs.onFailureDestination,
    schemaRegistryArn: outputs.schemaRegistryArn,
  });
  const mappings = [kafka];
  if (lab.sqsBuffer && outputs.sqsEsmUuid) {
    const sqs = await getMapping(lambda, lab.id, outputs.sqsEsmUuid, 'SQS event source mapping', retry);
    const sqsProblem = mappingProblem(sqs, 'SQS event source mapping', lab.id);
    if (sqsProblem) throw new UsageError(sqsProblem);
    differences.push(...sqsEsmDifferences(lab.sqsBuffer, sqs, { functionName: outputs.processorFunctionName }));
    mappings.push(sqs);
  }
  if (differences.length > 0) throw new UsageError(formatDifferences(lab, differences, exercise, outputs.deployedFrom));
  return mappings;
}
