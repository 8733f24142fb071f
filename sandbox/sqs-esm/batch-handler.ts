// What the SQS mapping does with the messages it receives, and what it counts of them under the
// names of AWS's EventCount metrics for an SQS mapping (labs/esm-metrics.ts;
// monitoring-metrics-types.html#event-source-mapping-metrics): a message no filter matches is
// discarded ("If none of your filters are satisfied, Lambda discards the record",
// invocation-eventfiltering.html), which for a queue means deleted, never invoked; the rest go to
// the function in one invocation; what succeeded is deleted (batch-response.ts).
import type { Message } from '@aws-sdk/client-sqs';
import { messagesToDelete, type SqsInvokeOutcome } from './batch-response.ts';

/** Running totals, one per EventCount metric of an SQS mapping. */
export interface SqsEsmCounters {
  /** Messages received from the queue, each time it is received (a message back after its visibility timeout counts again). */
  PolledEventCount: number;
  /** Messages no filter matched: deleted without an invocation. */
  FilteredOutEventCount: number;
  /** Messages sent to the function, in every invocation attempt (a throttled one included). */
  InvokedEventCount: number;
  /**
   * Messages of an invocation that failed (function error or timeout; a throttle is not a failed
   * invocation), and, with ReportBatchItemFailures, each message the response names: AWS's
   * FailedInvokeEventCount "includes any event with a non-empty BatchItemFailures". A malformed
   * response fails every message of the batch.
   */
  FailedInvokeEventCount: number;
  /** Messages the mapping deleted after the function processed them (the filter's deletions are FilteredOutEventCount's). */
  DeletedEventCount: number;
}

export function zeroSqsEsmCounters(): SqsEsmCounters {
  return { PolledEventCount: 0, FilteredOutEventCount: 0, InvokedEventCount: 0, FailedInvokeEventCount: 0, DeletedEventCount: 0 };
}

export interface SqsBatchSteps {
  /** The mapping's FilterCriteria: true for a message the function gets. Unset: no filter, every message. */
  matches?(message: Message): boolean;
  invoke(messages: Message[]): Promise<SqsInvokeOutcome>;
  /** Deletes messages from the queue; resolves to how many the queue confirmed. */
  remove(messages: Message[]): Promise<number>;
  reportBatchItemFailures: boolean;
}

export class SqsBatchHandler {
  readonly counters = zeroSqsEsmCounters();

  constructor(private readonly steps: SqsBatchSteps) {}

  /** What one ReceiveMessage returned. */
  received(messages: readonly Message[]): void {
    this.counters.PolledEventCount += messages.length;
  }

  /** One batch: the filter's discards deleted, the rest invoked, the successes deleted. */
  async handle(messages: Message[]): Promise<void> {
    const { matches } = this.steps;
    const wanted = matches ? messages.filter((m) => matches(m)) : messages;
    const discarded = messages.filter((m) => !wanted.includes(m));
    if (discarded.length > 0) {
      this.counters.FilteredOutEventCount += discarded.length;
      await this.steps.remove(discarded);
    }
    if (wanted.length === 0) return;
    this.counters.InvokedEventCount += wanted.length;
    const outcome = await this.steps.invoke(wanted);
    const succeeded = new Set(
      messagesToDelete(
        wanted.map((m) => m.MessageId!),
        outcome,
        this.steps.reportBatchItemFailures,
      ),
    );
    if (outcome.kind !== 'throttled') this.counters.FailedInvokeEventCount += wanted.length - succeeded.size;
    // Read the counter after the await: `counter += await ...` would add to the value from before
    // it, losing what concurrent batches counted meanwhile.
    const deleted = await this.steps.remove(wanted.filter((m) => succeeded.has(m.MessageId!)));
    this.counters.DeletedEventCount += deleted;
  }
}
