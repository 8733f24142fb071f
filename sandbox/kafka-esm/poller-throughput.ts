// A Kafka poller's byte budget. AWS: "An event poller (or a poller) represents a compute resource
// that underpins an event source mapping [...] and allocates up to 5 MB/s throughput"
// (with-kafka-low-latency.html, kafka-scaling-modes.html). A poller that has read its share
// starts its next batch only when the rate allows it again. The budget is a rate with one
// second of burst (the generic cell rate algorithm): a batch may start while the poller is less
// than a second ahead of its rate, and its bytes then push the next start later. A batch larger
// than a second's worth (events up to 1 MiB, batches up to the 6 MB payload) still starts, on its
// own, so nothing is ever stuck.
import { KAFKA_POLLER_BYTES_PER_SEC } from '../../labs/aws-limits.ts';

const BURST_MS = 1000;

export class PollerThroughput {
  /** When the poller will have caught up with its rate for everything it has read. */
  private caughtUpAt = -Infinity;

  constructor(private readonly bytesPerSec = KAFKA_POLLER_BYTES_PER_SEC) {}

  /** How long, from `now`, before this poller may start another batch (0: now). */
  waitMs(now: number): number {
    return Math.max(0, this.caughtUpAt - BURST_MS - now);
  }

  /** Counts a batch of `bytes` started at `now`. */
  spend(bytes: number, now: number): void {
    this.caughtUpAt = Math.max(now, this.caughtUpAt) + (bytes * 1000) / this.bytesPerSec;
  }
}

/** Bytes a record costs a poller: what it reads from the broker (key, value, headers). */
export function recordBytes(record: { key: Buffer | null; value: Buffer | null; headers: Array<Record<string, Buffer>> }): number {
  const headers = record.headers.reduce((sum, h) => sum + Object.entries(h).reduce((s, [name, v]) => s + Buffer.byteLength(name) + v.length, 0), 0);
  return (record.key?.length ?? 0) + (record.value?.length ?? 0) + headers;
}
