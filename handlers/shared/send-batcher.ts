// Sends as a real load generator does: events that are due together leave in one produce
// request (after at most `lingerMs`, or at once when `maxMessages` are waiting), several requests
// in flight, and each event still learns where it landed. The schedule stays open loop: an event
// joins a batch at its intended time, and its intendedAt travels in the record, so the wait in
// the batch counts in its end-to-end latency, as it would on any producer with linger.ms.
import type { SendReceipt } from './publish.ts';

export interface BatchingOptions {
  /** Longest wait of the first event of a batch for others to join. */
  lingerMs: number;
  /** A batch leaves at once at this size. */
  maxMessages: number;
}

export interface BatchTimers {
  after(ms: number, fn: () => void): { cancel(): void };
}

const realTimers: BatchTimers = {
  after(ms, fn) {
    const timer = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(timer) };
  },
};

interface Waiting<M> {
  message: M;
  resolve(receipt: SendReceipt): void;
  reject(error: unknown): void;
}

export class SendBatcher<M> {
  private waiting: Waiting<M>[] = [];
  private timer?: { cancel(): void };

  /** `sendBatch` sends the messages in one request and returns one receipt per message, in order. */
  constructor(
    private readonly sendBatch: (messages: M[]) => Promise<SendReceipt[]>,
    private readonly options: BatchingOptions,
    private readonly timers: BatchTimers = realTimers,
  ) {}

  send(message: M): Promise<SendReceipt> {
    return new Promise<SendReceipt>((resolve, reject) => {
      this.waiting.push({ message, resolve, reject });
      if (this.waiting.length >= this.options.maxMessages) this.flush();
      else this.timer ??= this.timers.after(this.options.lingerMs, () => this.flush());
    });
  }

  /** Sends what is waiting now. */
  flush(): void {
    this.timer?.cancel();
    this.timer = undefined;
    const batch = this.waiting;
    if (batch.length === 0) return;
    this.waiting = [];
    this.sendBatch(batch.map((w) => w.message)).then(
      (receipts) => {
        if (receipts.length !== batch.length) {
          const error = new Error(`a batch of ${batch.length} messages came back with ${receipts.length} receipts`);
          for (const w of batch) w.reject(error);
          return;
        }
        batch.forEach((w, i) => w.resolve(receipts[i]));
      },
      (error: unknown) => {
        for (const w of batch) w.reject(error);
      },
    );
  }
}

/**
 * One receipt per message from a Kafka produce response: the broker gives each partition's base
 * offset, and a partition keeps the order its messages were sent in.
 */
export function receiptsOf(partitions: readonly number[], response: ReadonlyArray<{ partition: number; baseOffset?: string; offset?: string }>): SendReceipt[] {
  const next = new Map<number, bigint>();
  for (const r of response) next.set(r.partition, BigInt(r.baseOffset ?? r.offset ?? '0'));
  return partitions.map((partition) => {
    const offset = next.get(partition);
    if (offset === undefined) throw new Error(`the produce response names no offset for partition ${partition}`);
    next.set(partition, offset + 1n);
    return { partition, offset: offset.toString() };
  });
}
