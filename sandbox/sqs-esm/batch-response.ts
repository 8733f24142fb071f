// Which received messages an SQS ESM deletes after an invocation (services-sqs-errorhandling):
// all of them on success; none on a function error, timeout or throttle (they return after the
// visibility timeout, and the queue's redrive policy moves them to the DLQ); with
// ReportBatchItemFailures, all but the messages the function names. A malformed response
// fails the whole batch.

export type SqsInvokeOutcome = { kind: 'success'; response: unknown } | { kind: 'function-error' | 'timeout' | 'throttled'; message: string };

export function messagesToDelete(messageIds: string[], outcome: SqsInvokeOutcome, reportBatchItemFailures: boolean): string[] {
  if (outcome.kind !== 'success') return [];
  if (!reportBatchItemFailures) return messageIds;
  const response = outcome.response as { batchItemFailures?: unknown } | null | undefined;
  const failures = response?.batchItemFailures;
  if (failures === undefined || failures === null) return messageIds;
  if (!Array.isArray(failures)) return [];
  const failed = new Set<string>();
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown })?.itemIdentifier;
    if (typeof id !== 'string' || !messageIds.includes(id)) return [];
    failed.add(id);
  }
  return messageIds.filter((id) => !failed.has(id));
}
