// What the ESM does with a batch after an invocation (kafka-retry-configurations.html; sandbox/MODEL.md):
// - success: every record is done and its offset may be committed;
// - ReportBatchItemFailures: only the records the function names are retried ("so Lambda can
//   retry only the failed records"); the others are done; a response of another shape fails the
//   whole batch;
// - error or timeout: the whole batch is retried, or split in two when BisectBatchOnFunctionError
//   is on (a split does not use up a retry);
// - after MaximumRetryAttempts, or once a record is older than MaximumRecordAgeInSeconds, the
//   records go to the on-failure destination, or are skipped when there is none.
// With infinite retries and a destination, AWS applies at most 10 retries.
// A destination record's condition is one of the two kafka-on-failure.html shows:
// RetryAttemptsExhausted, or MaximumPayloadSizeExceeded for a record too large to invoke with.
import { type PolledRecord, partitionKey, type SchemaFailure } from './polled-record.ts';

export const RETRIES_WITH_DESTINATION_WHEN_INFINITE = 10;

export interface FailureRules {
  /** -1 = infinite. */
  maximumRetryAttempts: number;
  /** -1 = infinite. */
  maximumRecordAgeSeconds: number;
  bisectBatchOnFunctionError: boolean;
  reportBatchItemFailures: boolean;
  hasDestination: boolean;
}

export const AWS_DEFAULT_FAILURE_RULES: FailureRules = {
  maximumRetryAttempts: -1,
  maximumRecordAgeSeconds: -1,
  bisectBatchOnFunctionError: false,
  reportBatchItemFailures: false,
  hasDestination: false,
};

/** A set of records and how many times the ESM retried them. */
export interface Attempt {
  records: PolledRecord[];
  /** 0 for the first invocation; each retry adds one; a bisect keeps the count. */
  retries: number;
}

export type InvokeResult =
  | { kind: 'success'; response: unknown }
  | { kind: 'function-error'; message: string }
  | { kind: 'timeout'; message: string }
  | { kind: 'throttled'; message: string };

/**
 * kafka-on-failure.html: "condition": "RetryAttemptsExhausted" | "MaximumPayloadSizeExceeded".
 * Its pages name no separate condition for a record past MaximumRecordAgeInSeconds (Kinesis's
 * RecordAgeExceeded is not among Kafka's), so the sandbox sends RetryAttemptsExhausted for those.
 * A record that fails schema validation goes to the destination "with reason code
 * SCHEMA_NOT_FOUND" or DESERIALIZATION_ERROR (services-consume-kafka-events.html); AWS does not
 * show where the record carries it, so the sandbox puts it in the condition.
 */
export type FailureCondition = 'RetryAttemptsExhausted' | 'MaximumPayloadSizeExceeded' | SchemaFailure['condition'];

export interface Decision {
  /** Processed: their offsets may be committed. */
  done: PolledRecord[];
  /** Run next, in this order, before anything else from these partitions. */
  retry: Attempt[];
  /** Sent to the on-failure destination (or skipped when none), then committed. */
  discard: PolledRecord[];
  condition?: FailureCondition;
  /** Throttles are not failures: they neither retry-count nor reach a destination. */
  throttled: boolean;
  /** A partial batch response AWS ignores (the whole batch failed instead). */
  ignoredResponse?: IgnoredResponse;
}

export function effectiveMaxRetries(rules: FailureRules): number {
  if (rules.maximumRetryAttempts === -1) return rules.hasDestination ? RETRIES_WITH_DESTINATION_WHEN_INFINITE : Infinity;
  return rules.maximumRetryAttempts;
}

/** Records too old to invoke with; checked before every invocation. */
export function splitByAge(records: PolledRecord[], now: number, rules: FailureRules): { fresh: PolledRecord[]; expired: PolledRecord[] } {
  if (rules.maximumRecordAgeSeconds === -1) return { fresh: records, expired: [] };
  const limit = rules.maximumRecordAgeSeconds * 1000;
  const expired = records.filter((r) => now - r.timestamp > limit);
  return { fresh: records.filter((r) => now - r.timestamp <= limit), expired };
}

/** The one shape AWS documents for a Kafka batch item failure (kafka-retry-configurations.html). */
export const KAFKA_ITEM_IDENTIFIER_SHAPE = '{"itemIdentifier": {"partition": "<topic>-<partition>", "offset": <number>}}';

/** A partial batch response AWS does not accept: it retries the whole batch instead. */
export interface IgnoredResponse {
  /** What was wrong, for the warning line of the run. */
  reason: string;
}

/**
 * The records a Kafka partial batch response names. AWS documents one shape,
 * {"partition": "<topic>-<partition>", "offset": <number>}, and: "If you return an empty valid
 * JSON or null, the event source mapping will consider a batch as successfully processed. Any
 * invalid topic-partition_number or offset returned that was not present in the invoked event
 * will be treated as failure and entire batch will be retried." Any other shape (a string, a
 * numeric partition, the SQS or Kinesis form) names no record of the event, so it fails the batch.
 */
export function failedRecords(response: unknown, records: PolledRecord[]): Set<PolledRecord> | IgnoredResponse | undefined {
  if (response === null || typeof response !== 'object') return undefined;
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return undefined;
  if (!Array.isArray(failures)) return { reason: `batchItemFailures is ${JSON.stringify(failures)}, not a list` };
  const failed = new Set<PolledRecord>();
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    const record = findRecord(id, records);
    if (!record) return { reason: unrecognized(failure, id) };
    failed.add(record);
  }
  return failed;
}

/**
 * Why a failure names no record. An earlier version of AWS's page showed the key as
 * "topic-partition"; the current one shows "partition": a learner who followed the old page gets
 * told which key changed, not only that nothing matched.
 */
function unrecognized(failure: unknown, id: unknown): string {
  const names = `${JSON.stringify(failure)} names no record of the batch`;
  if (id !== null && typeof id === 'object' && 'topic-partition' in id && !('partition' in id)) {
    return `${names}: its key "topic-partition" is from an earlier version of AWS's page, which now names it "partition" (${KAFKA_ITEM_IDENTIFIER_SHAPE})`;
  }
  return names;
}

function findRecord(id: unknown, records: PolledRecord[]): PolledRecord | undefined {
  if (id === null || typeof id !== 'object') return undefined;
  const { partition, offset } = id as { partition?: unknown; offset?: unknown };
  if (typeof partition !== 'string' || typeof offset !== 'number') return undefined;
  return records.find((r) => partitionKey(r) === partition && r.offset === offset);
}

export function decide(attempt: Attempt, result: InvokeResult, rules: FailureRules): Decision {
  if (result.kind === 'throttled') {
    return { done: [], retry: [attempt], discard: [], throttled: true };
  }
  let failed: PolledRecord[];
  let done: PolledRecord[] = [];
  let ignoredResponse: IgnoredResponse | undefined;
  if (result.kind === 'success') {
    const reported = rules.reportBatchItemFailures ? failedRecords(result.response, attempt.records) : undefined;
    if (reported === undefined || (reported instanceof Set && reported.size === 0)) {
      return { done: attempt.records, retry: [], discard: [], throttled: false };
    }
    if (!(reported instanceof Set)) {
      ignoredResponse = reported;
      failed = attempt.records;
    } else {
      done = attempt.records.filter((r) => !reported.has(r));
      failed = attempt.records.filter((r) => reported.has(r));
    }
  } else {
    failed = attempt.records;
  }

  if (attempt.retries >= effectiveMaxRetries(rules)) {
    return { done, retry: [], discard: failed, condition: 'RetryAttemptsExhausted', throttled: false, ignoredResponse };
  }
  // A partial failure already isolated the failed records; a function error is split.
  const bisect = rules.bisectBatchOnFunctionError && result.kind !== 'success' && failed.length > 1;
  if (bisect) {
    const half = Math.ceil(failed.length / 2);
    return {
      done,
      retry: [
        { records: failed.slice(0, half), retries: attempt.retries },
        { records: failed.slice(half), retries: attempt.retries },
      ],
      discard: [],
      throttled: false,
      ignoredResponse,
    };
  }
  return { done, retry: [{ records: failed, retries: attempt.retries + 1 }], discard: [], throttled: false, ignoredResponse };
}
