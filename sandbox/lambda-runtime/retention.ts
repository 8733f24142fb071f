// A retention window for what the local Lambda service keeps (metrics, log lines, invocation
// records, concurrency samples), as CloudWatch keeps data for a retention period rather than
// forever. Without it a sandbox that runs for long (the `workshop sandbox up` daemon, a soak, a long
// lab) holds every datum it ever saw: about 13 MB more per minute at 1,000 events/s (npm run soak;
// 5.5 MB of it metrics, 6.8 MB log lines, 0.2 MB invocation records, 0.15 MB concurrency samples).
//
// Retention counts from when the runtime received an entry, not from the time the entry names
// (an EMF document's Timestamp is whatever the function wrote). Expired entries are dropped when
// something is added or read. Listeners (onMetric, onLog, onInvocation) see every entry as it
// arrives, so a consumer that needs a whole run, however long, subscribes instead of reading back.

/** What a LambdaRuntime keeps by default: the last 15 minutes. */
export const DEFAULT_RETENTION_MS = 15 * 60_000;

export interface RetentionOptions {
  /** Entries received longer ago than this are dropped. Infinity keeps everything. Default 15 minutes. */
  retentionMs?: number;
  /** The clock retention is measured on (tests pass a fake one). Default Date.now. */
  now?: () => number;
}

export function validRetentionMs(value: number | undefined): number {
  const ms = value ?? DEFAULT_RETENTION_MS;
  if (!(ms > 0))
    throw new Error(
      `retentionMs ${value} is not valid: use a number of milliseconds above 0, or Infinity to keep everything (default ${DEFAULT_RETENTION_MS}, 15 minutes).`,
    );
  return ms;
}

/** An append-only list that forgets entries received longer ago than the retention window. */
export class RetainedList<T> {
  readonly retentionMs: number;
  readonly #now: () => number;
  #entries: T[] = [];
  /** When each entry was received (parallel to #entries: no wrapper object per entry). */
  #receivedAt: number[] = [];
  /** Entries before this index have expired and wait for the next compaction. */
  #head = 0;

  constructor(options: RetentionOptions = {}) {
    this.retentionMs = validRetentionMs(options.retentionMs);
    this.#now = options.now ?? Date.now;
  }

  push(entry: T): void {
    const now = this.#now();
    this.#entries.push(entry);
    this.#receivedAt.push(now);
    this.#expire(now);
  }

  /** The entries still within the window, oldest first. */
  all(): readonly T[] {
    this.#expire();
    this.#compact();
    return this.#entries;
  }

  get size(): number {
    this.#expire();
    return this.#entries.length - this.#head;
  }

  clear(): void {
    this.#entries = [];
    this.#receivedAt = [];
    this.#head = 0;
  }

  #expire(now = this.#now()): void {
    if (this.retentionMs === Infinity) return;
    const cutoff = now - this.retentionMs;
    const entries = this.#entries;
    while (this.#head < entries.length && this.#receivedAt[this.#head] < cutoff) {
      entries[this.#head] = undefined as T; // collectable before the compaction
      this.#head++;
    }
    // Amortized O(1) per entry: compact once the expired prefix is at least half of the array.
    if (this.#head >= 1024 && this.#head * 2 >= entries.length) this.#compact();
  }

  #compact(): void {
    if (this.#head === 0) return;
    this.#entries = this.#entries.slice(this.#head);
    this.#receivedAt = this.#receivedAt.slice(this.#head);
    this.#head = 0;
  }
}
