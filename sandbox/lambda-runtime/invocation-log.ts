// One record per invoke, whatever happened to it (the local stand-in for the REPORT line Lambda
// writes after each invocation, plus throttles and refused requests, which run nothing). Records
// are kept for a retention window (default the last 15 minutes, retention.ts); onInvocation sees
// every record as its invoke completes, whatever the window.

import type { InvokeError } from './lambda-errors.ts';
import { Listeners, type Unsubscribe } from './listeners.ts';
import { RetainedList, type RetentionOptions } from './retention.ts';

export type InvocationOutcome = 'ok' | 'error' | 'throttled' | 'timeout';

export interface InvocationRecord {
  functionName: string;
  requestId: string;
  outcome: InvocationOutcome;
  error?: InvokeError;
  /** Epoch ms when the invoke was called. */
  start: number;
  /** Epoch ms when its result was ready. */
  end: number;
  /** Time in the handler (Lambda's "Duration"); 0 when nothing ran. */
  durationMs: number;
  /** Importing the bundle into a new execution environment: cold starts only. */
  initDurationMs?: number;
  /** Whether this invoke created its execution environment. */
  coldStart: boolean;
  /** ceil(duration + init duration) in ms: since Aug 2025 Lambda bills the INIT phase too. */
  billedDurationMs: number;
  /** The execution environment (its log stream name), when one was used. */
  logStreamName?: string;
  /** Records in the payload, when the caller says (event source mappings do). */
  records?: number;
  /** UTF-8 bytes of the request and of the response JSON, when known. */
  requestBytes?: number;
  responseBytes?: number;
}

export class InvocationLog {
  readonly #records: RetainedList<InvocationRecord>;
  readonly #listeners = new Listeners<InvocationRecord>();

  constructor(options: RetentionOptions = {}) {
    this.#records = new RetainedList(options);
  }

  add(record: InvocationRecord): void {
    this.#records.push(record);
    this.#listeners.emit(record);
  }

  /** Called with every record as its invoke completes. */
  onInvocation(callback: (record: InvocationRecord) => void): Unsubscribe {
    return this.#listeners.add(callback);
  }

  /** Every record within the retention window, in completion order. */
  all(): readonly InvocationRecord[] {
    return this.#records.all();
  }

  find(filter: { functionName?: string; outcome?: InvocationOutcome } = {}): InvocationRecord[] {
    return this.#records
      .all()
      .filter(
        (record) =>
          (filter.functionName === undefined || record.functionName === filter.functionName) &&
          (filter.outcome === undefined || record.outcome === filter.outcome),
      );
  }

  /** Records within the retention window. */
  get size(): number {
    return this.#records.size;
  }

  clear(): void {
    this.#records.clear();
  }
}
