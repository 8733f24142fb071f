// The numeric ranges a LabSpec may hold because AWS enforces them, one row per field, reading
// labs/aws-limits.ts. validateLabSpec checks each field against its row and words the refusal
// from it, so a limit changed in aws-limits.ts changes the check and the message together.
import {
  CONSUMER_GROUP_ID_MAX_LENGTH,
  DEFAULT_ACCOUNT_CONCURRENCY,
  FILTER_PATTERN_MAX_CHARS,
  KAFKA_FUNCTION_MAX_TIMEOUT_SECONDS,
  KAFKA_MAX_BATCH_SIZE,
  KAFKA_MAX_POLLERS_LIMIT,
  KAFKA_MIN_POLLERS_LIMIT,
  LAMBDA_DOCS,
  MAX_BATCHING_WINDOW_SECONDS,
  MAX_FILTERS_PER_MAPPING,
  MAX_MEMORY_MB,
  MAX_RECEIVE_COUNT,
  MAX_RECORD_AGE_SECONDS,
  MAX_RESERVED_CONCURRENCY,
  MAX_RETRY_ATTEMPTS,
  MAX_VISIBILITY_TIMEOUT_SECONDS,
  MIN_MEMORY_MB,
  MIN_RECORD_AGE_SECONDS,
  MIN_UNRESERVED_CONCURRENCY,
  MSK_SERVERLESS_MAX_PARTITIONS,
  SQS_MAX_BATCH_SIZE,
  SQS_MAX_MAXIMUM_CONCURRENCY,
  SQS_MAX_POLLERS_LIMIT,
  SQS_MAX_POLLERS_STATED,
  SQS_MIN_MAXIMUM_CONCURRENCY,
  SQS_MIN_POLLERS,
  SQS_MIN_POLLERS_LIMIT,
} from './aws-limits.ts';

export interface SpecLimit {
  /** The LabSpec field, dotted (`kafkaEsm.batchSize`). */
  path: string;
  /** AWS's name for it, as its pages and API write it. */
  parameter: string;
  min: number;
  max: number;
  /** -1 also allowed, meaning "infinite". */
  orInfinite?: boolean;
  /** Said after the range: a unit, or a further condition of the same rule. */
  also?: string;
  /** The rule in words of its own, where AWS's page words it so (the page is added). */
  says?: (min: number, max: number) => string;
  /** The page that states the limit; a bare name is under Lambda's developer guide. */
  page: string;
}

export const SPEC_LIMITS: readonly SpecLimit[] = [
  {
    path: 'topic.partitions',
    parameter: "A topic's partitions (MSK Serverless, per cluster)",
    min: 1,
    max: MSK_SERVERLESS_MAX_PARTITIONS,
    page: 'https://docs.aws.amazon.com/msk/latest/developerguide/limits.html',
  },
  { path: 'kafkaEsm.batchSize', parameter: 'Kafka ESM BatchSize', min: 1, max: KAFKA_MAX_BATCH_SIZE, page: 'msk-esm-parameters.html' },
  {
    path: 'kafkaEsm.batchingWindowSeconds',
    parameter: 'MaximumBatchingWindowInSeconds',
    min: 0,
    max: MAX_BATCHING_WINDOW_SECONDS,
    says: windowRule,
    page: 'msk-esm-parameters.html',
  },
  {
    path: 'kafkaEsm.provisionedPollers.minimum',
    parameter: 'ProvisionedPollerConfig MinimumPollers',
    min: 1,
    max: KAFKA_MIN_POLLERS_LIMIT,
    page: 'kafka-scaling-modes.html',
  },
  {
    path: 'kafkaEsm.provisionedPollers.maximum',
    parameter: 'ProvisionedPollerConfig MaximumPollers',
    min: 1,
    max: KAFKA_MAX_POLLERS_LIMIT,
    also: 'and at least MinimumPollers',
    page: 'kafka-scaling-modes.html',
  },
  {
    path: 'kafkaEsm.maximumRetryAttempts',
    parameter: 'MaximumRetryAttempts',
    min: 0,
    max: MAX_RETRY_ATTEMPTS,
    orInfinite: true,
    page: 'kafka-retry-configurations.html',
  },
  {
    path: 'kafkaEsm.maximumRecordAgeSeconds',
    parameter: 'MaximumRecordAgeInSeconds',
    min: MIN_RECORD_AGE_SECONDS,
    max: MAX_RECORD_AGE_SECONDS,
    orInfinite: true,
    page: 'kafka-retry-configurations.html',
  },
  {
    path: 'kafkaEsm.filters',
    parameter: 'FilterCriteria',
    min: 0,
    max: MAX_FILTERS_PER_MAPPING,
    says: (_, max) => `FilterCriteria holds at most ${max} filters per event source mapping`,
    page: 'kafka-filtering.html',
  },
  {
    path: 'kafkaEsm.filters[]',
    parameter: 'Filter.Pattern',
    min: 1,
    max: FILTER_PATTERN_MAX_CHARS,
    says: (_, max) => `A filter pattern is at most ${max} characters of JSON`,
    page: 'invocation-eventfiltering.html',
  },
  {
    path: 'kafkaEsm.consumerGroupId',
    parameter: 'ConsumerGroupId',
    min: 1,
    max: CONSUMER_GROUP_ID_MAX_LENGTH,
    also: 'characters of [a-zA-Z0-9-/*:_+=.@]',
    page: 'msk-esm-parameters.html',
  },
  { path: 'processor.memoryMb', parameter: 'Lambda memory', min: MIN_MEMORY_MB, max: MAX_MEMORY_MB, also: 'MB', page: 'gettingstarted-limits.html' },
  {
    path: 'processor.timeoutSeconds',
    parameter: 'Timeout',
    min: 1,
    max: KAFKA_FUNCTION_MAX_TIMEOUT_SECONDS,
    says: (_, max) => `A function behind a Kafka ESM may time out after at most ${max / 60} minutes (${max} s)`,
    page: 'with-msk.html',
  },
  {
    path: 'processor.reservedConcurrency',
    parameter: 'Reserved concurrency',
    min: 0,
    max: MAX_RESERVED_CONCURRENCY,
    also: `with the default account concurrency of ${DEFAULT_ACCOUNT_CONCURRENCY.toLocaleString('en-US')}: AWS keeps at least ${MIN_UNRESERVED_CONCURRENCY} unreserved`,
    page: 'configuration-concurrency.html',
  },
  { path: 'sqsBuffer.batchSize', parameter: 'SQS ESM BatchSize for a standard queue', min: 1, max: SQS_MAX_BATCH_SIZE, page: 'services-sqs-parameters.html' },
  {
    path: 'sqsBuffer.batchingWindowSeconds',
    parameter: 'MaximumBatchingWindowInSeconds',
    min: 0,
    max: MAX_BATCHING_WINDOW_SECONDS,
    says: windowRule,
    page: 'services-sqs-parameters.html',
  },
  {
    path: 'sqsBuffer.maximumConcurrency',
    parameter: 'ScalingConfig MaximumConcurrency',
    min: SQS_MIN_MAXIMUM_CONCURRENCY,
    max: SQS_MAX_MAXIMUM_CONCURRENCY,
    page: 'services-sqs-scaling.html',
  },
  {
    path: 'sqsBuffer.provisionedPollers.minimum',
    parameter: 'SQS provisioned mode MinimumPollers',
    min: SQS_MIN_POLLERS,
    max: SQS_MIN_POLLERS_LIMIT,
    page: 'services-sqs-scaling.html',
  },
  {
    path: 'sqsBuffer.provisionedPollers.maximum',
    parameter: 'SQS provisioned mode MaximumPollers',
    min: SQS_MIN_POLLERS,
    max: SQS_MAX_POLLERS_LIMIT,
    also: 'and at least MinimumPollers',
    says: sqsMaxPollersRule,
    page: 'https://docs.aws.amazon.com/lambda/latest/api/API_ProvisionedPollerConfig.html',
  },
  {
    path: 'sqsBuffer.visibilityTimeoutSeconds',
    parameter: "A queue's visibility timeout",
    min: 0,
    max: MAX_VISIBILITY_TIMEOUT_SECONDS,
    also: 's and must be at least the function timeout, or CreateEventSourceMapping fails',
    page: 'services-sqs-configure.html',
  },
  {
    path: 'sqsBuffer.maxReceiveCount',
    parameter: "A redrive policy's maxReceiveCount",
    min: 1,
    max: MAX_RECEIVE_COUNT,
    page: 'https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html',
  },
];

/** AWS's pages disagree on this bound (labs/aws-limits.ts, SQS_MAX_POLLERS_LIMIT): the rule names both and the one followed. */
function sqsMaxPollersRule(min: number, max: number): string {
  return (
    `SQS provisioned mode MaximumPollers is ${min}..${max} and at least MinimumPollers: ${LAMBDA_DOCS}services-sqs-scaling.html and newer API text ` +
    `say SQS accepts up to ${SQS_MAX_POLLERS_STATED.toLocaleString('en-US')}, but the API reference's valid range for MaximumPollers (and CloudFormation's) ends at ${max}, ` +
    `the stricter bound the workshop holds to; set sqsBuffer.provisionedPollers.maximum in that range`
  );
}

function windowRule(min: number, max: number): string {
  return `MaximumBatchingWindowInSeconds is a whole number of seconds, ${min}..${max}`;
}

/** The page's address. */
export function limitPage(limit: SpecLimit): string {
  return limit.page.startsWith('https://') ? limit.page : `${LAMBDA_DOCS}${limit.page}`;
}

/** What a refusal says is allowed: "a whole number from 1 to 10000". */
export function limitAllowed(limit: SpecLimit): string {
  return `${limit.orInfinite ? '-1 (infinite) or ' : ''}a whole number from ${limit.min} to ${limit.max}`;
}

/** The rule a refusal cites: "Kafka ESM BatchSize is 1..10000 (https://...)". */
export function limitRule(limit: SpecLimit): string {
  const words =
    limit.says?.(limit.min, limit.max) ??
    `${limit.parameter} is ${limit.orInfinite ? '-1 (infinite) or ' : ''}${limit.min}..${limit.max}${limit.also ? ` ${limit.also}` : ''}`;
  return `${words} (${limitPage(limit)})`;
}

/** The row of a field; a table without it is a bug in the validator, not in the spec. */
export function limitOf(path: string, limits: readonly SpecLimit[] = SPEC_LIMITS): SpecLimit {
  const limit = limits.find((l) => l.path === path);
  if (!limit) throw new Error(`labs/spec-limits.ts has no row for ${path}`);
  return limit;
}
