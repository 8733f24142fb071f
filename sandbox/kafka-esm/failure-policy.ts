// What the ESM does with a batch after an invocation (DESIGN §3, kafka-retry-configurations):
// - success: every record is done and its offset may be committed;
// - ReportBatchItemFailures: only the records the function names are retried ("so Lambda can
//   retry only the failed records"); the others are done;
// - error or timeout: the whole batch is retried, or split in two when BisectBatchOnFunctionError
//   is on (a split does not use up a retry);
// - after MaximumRetryAttempts, or once a record is older than MaximumRecordAgeInSeconds, the
//   records go to the on-failure destination, or are skipped when there is none.
// With infinite retries and a destination, AWS applies at most 10 retries.
import { partitionKey, type PolledRecord } from './polled-record.ts';

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

export type FailureCondition = 'RetryAttemptsExhausted' | 'RecordAgeExceeded';

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

/**
 * The Kafka partial batch response names a failed record as {partition: "<topic>-<partition>",
 * offset} (the shape Powertools for AWS Lambda emits for kafka-retry-configurations.html); the
 * string "<topic>-<partition>-<offset>" and {topic, partition: <number>, offset} are accepted
 * too. A malformed list fails the whole batch, as AWS treats an empty or unknown itemIdentifier.
 */
export function failedRecords(response: unknown, records: PolledRecord[]): Set<PolledRecord> | 'invalid' | undefined {
  if (response === null || typeof response !== 'object') return undefined;
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return undefined;
  if (!Array.isArray(failures)) return 'invalid';
  const failed = new Set<PolledRecord>();
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown })?.itemIdentifier;
    const record = findRecord(id, records);
    if (!record) return 'invalid';
    failed.add(record);
  }
  return failed;
}

function findRecord(id: unknown, records: PolledRecord[]): PolledRecord | undefined {
  if (typeof id === 'string' && id.length > 0) {
    return records.find((r) => `${partitionKey(r)}-${r.offset}` === id);
  }
  if (id && typeof id === 'object') {
    const { topic, partition, offset } = id as { topic?: unknown; partition?: unknown; offset?: unknown };
    if (typeof partition === 'string') return records.find((r) => partitionKey(r) === partition && r.offset === Number(offset));
    return records.find((r) => (topic === undefined || r.topic === topic) && r.partition === Number(partition) && r.offset === Number(offset));
  }
  return undefined;
}

export function decide(attempt: Attempt, result: InvokeResult, rules: FailureRules): Decision {
  if (result.kind === 'throttled') {
    return { done: [], retry: [attempt], discard: [], throttled: true };
  }
  let failed: PolledRecord[];
  let done: PolledRecord[] = [];
  if (result.kind === 'success') {
    const reported = rules.reportBatchItemFailures ? failedRecords(result.response, attempt.records) : undefined;
    if (reported === undefined || (reported !== 'invalid' && reported.size === 0)) {
      return { done: attempt.records, retry: [], discard: [], throttled: false };
    }
    if (reported === 'invalid') {
      failed = attempt.records;
    } else {
      done = attempt.records.filter((r) => !reported.has(r));
      failed = attempt.records.filter((r) => reported.has(r));
    }
  } else {
    failed = attempt.records;
  }

  if (attempt.retries >= effectiveMaxRetries(rules)) {
    return { done, retry: [], discard: failed, condition: 'RetryAttemptsExhausted', throttled: false };
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
    };
  }
  return { done, retry: [{ records: failed, retries: attempt.retries + 1 }], discard: [], throttled: false };
}
