// AWS's numbers for Lambda, its event source mappings and SQS, each written once, with the page
// that states it. The spec validation (lab-spec.ts), the capacity model (capacity-model.ts) and
// the sandbox's rules (sandbox/) all read them from here, so the sandbox does not take its limits
// from the model that predicts it. Pages are under https://docs.aws.amazon.com/lambda/latest/dg/.

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
