// AWS's numbers for Lambda, its event source mappings and SQS, each written once, with the page
// that states it. The spec validation (lab-spec.ts), the capacity model (capacity-model.ts) and
// the sandbox's rules (sandbox/) all read them from here, so the sandbox does not take its limits
// from the model that predicts it. Pages are under https://docs.aws.amazon.com/lambda/latest/dg/
// unless a full address is given. labs/spec-limits.ts turns the ranges a LabSpec may hold into the
// validator's rows.

/** Where Lambda's developer guide pages are. */
export const LAMBDA_DOCS = 'https://docs.aws.amazon.com/lambda/latest/dg/';

/** The default MaximumBatchingWindowInSeconds of a Kafka event source, when unset (msk-esm-parameters.html). */
export const KAFKA_DEFAULT_BATCHING_WINDOW_MS = 500;

/** A Kafka mapping's batching window in ms: the one set, or AWS's 500 ms default when unset. */
export function kafkaWindowMs(batchingWindowSeconds: number | undefined): number {
  return batchingWindowSeconds === undefined ? KAFKA_DEFAULT_BATCHING_WINDOW_MS : batchingWindowSeconds * 1000;
}

/**
 * Once a Kafka mapping's batching window is set, "you cannot revert back to the 500 ms default
 * batching window [...] you must create a new event source mapping"
 * (invocation-eventsourcemapping.html, batching behavior).
 */
export const KAFKA_WINDOW_IS_ONE_WAY =
  "on AWS a Kafka mapping's batching window cannot go back to the 500 ms default once it has been set: the mapping must be deleted and created again (invocation-eventsourcemapping.html, batching behavior)";

/** The synchronous invocation payload limit, request and response; it also caps an ESM batch (gettingstarted-limits.html). */
export const INVOKE_PAYLOAD_LIMIT_BYTES = 6 * 1024 * 1024; // 6,291,456

/** An account's concurrency, by default (gettingstarted-limits.html). */
export const DEFAULT_ACCOUNT_CONCURRENCY = 1000;
/** Reserved concurrency may not bring the unreserved pool below 100 (configuration-concurrency.html). */
export const MIN_UNRESERVED_CONCURRENCY = 100;
/** "You can reserve up to the Unreserved account concurrency value minus 100": 900 by default. */
export const MAX_RESERVED_CONCURRENCY = DEFAULT_ACCOUNT_CONCURRENCY - MIN_UNRESERVED_CONCURRENCY;

/** "You can group up to 100 ESMs per poller group" (API_ProvisionedPollerConfig.html). */
export const MAX_MAPPINGS_PER_POLLER_GROUP = 100;
/** "aggregate maximum pollers across all ESMs in a group cannot exceed 2000" (API_ProvisionedPollerConfig.html). */
export const MAX_POLLERS_PER_POLLER_GROUP = 2000;

/** One Kafka poller handles up to 5 concurrent invocations (with-kafka-low-latency.html, kafka-scaling-modes.html)... */
export const INVOCATIONS_PER_KAFKA_POLLER = 5;
/** ...and up to 5 MB/s (read as MiB, like the 6 MB payload limit). */
export const KAFKA_POLLER_BYTES_PER_SEC = 5 * 1024 * 1024;

/**
 * Provisioned mode is billed in Event Poller Units. "Each EPU supports up to 20 MB/s throughput
 * capacity for event polling and supports a default of 10 event pollers"
 * (kafka-scaling-modes.html#kafka-enhanced-epu-utilization; the Lambda pricing page says the same).
 */
export const POLLERS_PER_EVENT_POLLER_UNIT = 10;
/** ...and its 20 MB/s, read as MiB like the poller's 5 MB/s, so four saturated pollers fill one EPU. */
export const EVENT_POLLER_UNIT_BYTES_PER_SEC = 20 * 1024 * 1024;

/** SQS standard scaling starts with 5 concurrent batches (services-sqs-scaling.html)... */
export const SQS_INITIAL_CONCURRENCY = 5;
/** ...and, without MaximumConcurrency, scales back "to 5 (as low as 2)" when traffic is low... */
export const SQS_IDLE_CONCURRENCY = 2;
/** ...and adds up to 300 per minute... */
export const SQS_CONCURRENCY_STEP_PER_MINUTE = 300;
/** ...up to 1,250 without MaximumConcurrency. */
export const SQS_MAX_CONCURRENCY = 1250;
/** One provisioned SQS poller handles up to 10 concurrent invocations (services-sqs-scaling.html). */
export const INVOCATIONS_PER_SQS_POLLER = 10;

/** A Kafka ESM's BatchSize (msk-esm-parameters.html)... */
export const KAFKA_MAX_BATCH_SIZE = 10000;
/** ...and MaximumBatchingWindowInSeconds, Kafka's and SQS's alike (msk-esm-parameters.html, services-sqs-parameters.html). */
export const MAX_BATCHING_WINDOW_SECONDS = 300;
/** ConsumerGroupId's length (msk-esm-parameters.html). */
export const CONSUMER_GROUP_ID_MAX_LENGTH = 200;

/** Kafka ProvisionedPollerConfig: MinimumPollers 1..200, MaximumPollers 1..2000 (kafka-scaling-modes.html). */
export const KAFKA_MIN_POLLERS_LIMIT = 200;
export const KAFKA_MAX_POLLERS_LIMIT = 2000;
/** PollerGroupName's length (API_ProvisionedPollerConfig.html). */
export const POLLER_GROUP_NAME_MAX_LENGTH = 128;

/** MaximumRetryAttempts -1 (infinite) or 0..10000 (kafka-retry-configurations.html). */
export const MAX_RETRY_ATTEMPTS = 10000;
/** MaximumRecordAgeInSeconds -1 (infinite) or 60..604800 (kafka-retry-configurations.html). */
export const MIN_RECORD_AGE_SECONDS = 60;
export const MAX_RECORD_AGE_SECONDS = 604800;

/** FilterCriteria: at most 5 filters per event source mapping (kafka-filtering.html)... */
export const MAX_FILTERS_PER_MAPPING = 5;
/** ...10 with a quota increase (invocation-eventfiltering.html)... */
export const MAX_FILTERS_WITH_QUOTA_INCREASE = 10;
/** ...each pattern at most 4096 characters (API_Filter.html, Pattern's length constraint). */
export const FILTER_PATTERN_MAX_CHARS = 4096;

/** A function's memory, 128..10240 MB (gettingstarted-limits.html). */
export const MIN_MEMORY_MB = 128;
export const MAX_MEMORY_MB = 10240;
/** Any function's timeout, at most 900 s (gettingstarted-limits.html)... */
export const MAX_FUNCTION_TIMEOUT_SECONDS = 900;
/** ...and a function behind a Kafka ESM may time out after at most 14 minutes (with-msk.html). */
export const KAFKA_FUNCTION_MAX_TIMEOUT_SECONDS = 840;

/** An SQS ESM's BatchSize for a standard queue (services-sqs-parameters.html)... */
export const SQS_MAX_BATCH_SIZE = 10000;
/** ...above which MaximumBatchingWindowInSeconds must be at least 1. */
export const SQS_MAX_BATCH_WITHOUT_WINDOW = 10;
/** An SQS mapping's MaximumBatchingWindowInSeconds when unset: none, a poll returns what is queued (services-sqs-parameters.html). */
export const SQS_DEFAULT_BATCHING_WINDOW_MS = 0;

/** An SQS mapping's batching window in ms: the one set, or AWS's default of none when unset. */
export function sqsWindowMs(batchingWindowSeconds: number | undefined): number {
  return batchingWindowSeconds === undefined ? SQS_DEFAULT_BATCHING_WINDOW_MS : batchingWindowSeconds * 1000;
}
/** ScalingConfig MaximumConcurrency 2..1000 (services-sqs-scaling.html). */
export const SQS_MIN_MAXIMUM_CONCURRENCY = 2;
export const SQS_MAX_MAXIMUM_CONCURRENCY = 1000;
/** SQS provisioned mode: MinimumPollers 2..200 (services-sqs-scaling.html, API_ProvisionedPollerConfig.html: "minimum 2 required"). */
export const SQS_MIN_POLLERS = 2;
export const SQS_MIN_POLLERS_LIMIT = 200;
/**
 * SQS provisioned mode's MaximumPollers: at most 2,000. AWS's pages disagree. For SQS,
 * services-sqs-scaling.html and a newer text of API_ProvisionedPollerConfig.html ("For Amazon SQS
 * event source mappings, the accepted range is between 2 and 10,000") allow 10,000, as do the
 * SDKs' docs (boto3, aws-sdk-rust); but the same API page's MaximumPollers "Valid Range: Minimum
 * value of 1. Maximum value of 2000" (in a version that already says 10,000 in its text), the
 * CloudFormation schema (AWS::Lambda::EventSourceMapping ProvisionedPollerConfig, Maximum 2000) and
 * the CDK ("For Amazon SQS: Minimum value of 2. Maximum value of 2000") hold to 2,000. The workshop
 * refuses above the stricter bound the API states it validates, so a spec it accepts deploys under
 * either; the latest copy of the API page we found gives a valid range of 1..10000, so this may be
 * raised once the API reference and CloudFormation agree (sandbox/MODEL.md says the same).
 * https://docs.aws.amazon.com/lambda/latest/api/API_ProvisionedPollerConfig.html,
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html
 */
export const SQS_MAX_POLLERS_LIMIT = 2000;
/** The bound AWS's SQS pages state and the workshop does not follow (see SQS_MAX_POLLERS_LIMIT). */
export const SQS_MAX_POLLERS_STATED = 10000;
/** A queue's visibility timeout, 0..43200 s (services-sqs-configure.html). */
export const MAX_VISIBILITY_TIMEOUT_SECONDS = 43200;
/** A redrive policy's maxReceiveCount, 1..1000 (sqs-dead-letter-queues.html). */
export const MAX_RECEIVE_COUNT = 1000;
/** MSK Serverless: partitions per cluster (msk/latest/developerguide/limits.html). */
export const MSK_SERVERLESS_MAX_PARTITIONS = 2400;
