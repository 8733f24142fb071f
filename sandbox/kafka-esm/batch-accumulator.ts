// One poller's batching rule (msk-esm-parameters.html, "Batching behavior"; sandbox/MODEL.md): a batch is invoked at the first of
//   - the batching window elapsed, counted from the arrival of the batch's first record,
//   - the batch size reached,
//   - the 6 MB invoke payload reached.
// A partition with a batch in flight lends no records to another batch, so records of one
// partition are processed in order and at most one batch per partition is in flight.
import { INVOKE_PAYLOAD_LIMIT_BYTES } from '../../labs/aws-limits.ts';
import { partitionGroupBytes, payloadBytes } from './msk-event.ts';
import { groupByPartition, type PolledRecord, partitionKey } from './polled-record.ts';

/** The event envelope around the records (eventSource, ARN, bootstrap servers, braces). */
const ENVELOPE_BYTES = 512;

export interface Batch {
  records: PolledRecord[];
  /** Partitions (topic-partition) this batch holds in flight. */
  partitions: string[];
  payloadBytes: number;
  trigger: 'size' | 'payload' | 'window';
}

export interface BatchRules {
  batchSize: number;
  windowMs: number;
  maxPayloadBytes?: number;
}

export class BatchAccumulator {
  private readonly queues = new Map<string, PolledRecord[]>();
  private readonly inFlight = new Set<string>();
  private readonly maxPayloadBytes: number;

  constructor(private readonly rules: BatchRules) {
    this.maxPayloadBytes = rules.maxPayloadBytes ?? INVOKE_PAYLOAD_LIMIT_BYTES;
  }

  push(records: PolledRecord[]): void {
    for (const record of records) {
      const key = partitionKey(record);
      let queue = this.queues.get(key);
      if (!queue) this.queues.set(key, (queue = []));
      queue.push(record);
    }
  }

  /** Records waiting in partitions without a batch in flight, oldest partition first. */
  private eligibleQueues(): Array<[string, PolledRecord[]]> {
    return [...this.queues.entries()].filter(([key, queue]) => queue.length > 0 && !this.inFlight.has(key)).sort((a, b) => a[1][0].polledAt - b[1][0].polledAt);
  }

  /** When the window of the next batch closes, or undefined if nothing is waiting. */
  windowClosesAt(): number | undefined {
    const oldest = this.eligibleQueues()[0]?.[1][0];
    return oldest ? oldest.polledAt + this.rules.windowMs : undefined;
  }

  /** The next batch if one of the three triggers fired by `now`; it is then in flight. */
  takeBatch(now: number): Batch | undefined {
    const eligible = this.eligibleQueues();
    if (eligible.length === 0) return undefined;
    const records: PolledRecord[] = [];
    const taken = new Map<string, number>();
    let bytes = ENVELOPE_BYTES;
    let trigger: Batch['trigger'] | undefined;
    fill: for (const [key, queue] of eligible) {
      let group = partitionGroupBytes(key);
      for (const record of queue) {
        if (records.length === this.rules.batchSize) {
          trigger = 'size';
          break fill;
        }
        const size = payloadBytes(record) + group;
        if (bytes + size > this.maxPayloadBytes && records.length > 0) {
          trigger = 'payload';
          break fill;
        }
        records.push(record);
        taken.set(key, (taken.get(key) ?? 0) + 1);
        bytes += size;
        group = 0;
      }
    }
    if (!trigger && records.length === this.rules.batchSize) trigger = 'size';
    if (!trigger && now >= eligible[0][1][0].polledAt + this.rules.windowMs) trigger = 'window';
    if (!trigger) return undefined;

    for (const [key, count] of taken) {
      this.queues.get(key)!.splice(0, count);
      this.inFlight.add(key);
    }
    return { records, partitions: [...taken.keys()], payloadBytes: bytes, trigger };
  }

  /**
   * Puts records of a batch that will not be retried here back at the front of their partitions,
   * in offset order (they came from the front: nothing of their partitions was taken after them).
   */
  requeue(records: PolledRecord[]): void {
    for (const [key, list] of groupByPartition(records)) {
      list.sort((a, b) => a.offset - b.offset);
      this.queues.set(key, [...list, ...(this.queues.get(key) ?? [])]);
    }
  }

  /** The batch's partitions may lend records to the next batch again. */
  release(partitions: string[]): void {
    for (const key of partitions) this.inFlight.delete(key);
  }

  /** Drops waiting records of partitions this poller no longer owns (after a rebalance). */
  dropPartitions(keep: (key: string) => boolean): PolledRecord[] {
    const dropped: PolledRecord[] = [];
    for (const [key, queue] of this.queues) {
      if (!keep(key)) {
        dropped.push(...queue);
        this.queues.delete(key);
      }
    }
    return dropped;
  }

  waiting(): number {
    let n = 0;
    for (const queue of this.queues.values()) n += queue.length;
    return n;
  }

  waitingIn(key: string): number {
    return this.queues.get(key)?.length ?? 0;
  }

  inFlightPartitions(): string[] {
    return [...this.inFlight];
  }
}
