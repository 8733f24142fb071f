// What was actually published, read back from the broker: for each event of a run, its
// partition and offset. The producer's own count says what it sent; the ledger says what the
// topic holds, and maps an on-failure destination's offset ranges back to (runId, seq).

import { Kafka, logLevel } from 'kafkajs';
import { retryTransientKafka } from '../sandbox/transient-kafka.ts';

export interface LedgerEntry {
  seq: number;
  partition: number;
  offset: number;
}

export interface Ledger {
  runId: string;
  entries: LedgerEntry[];
  bySeq: Map<number, LedgerEntry>;
  /** `${partition}:${offset}` -> seq */
  byPosition: Map<string, number>;
}

export async function readLedger(options: { brokers: string[]; topic: string; runId: string; expected: number; timeoutMs?: number }): Promise<Ledger> {
  const published = await readPublished({ ...options, runIds: new Set([options.runId]), what: `${options.expected} events of run ${options.runId}` });
  const entries = published.get(options.runId)!;
  return {
    runId: options.runId,
    entries,
    bySeq: new Map(entries.map((e) => [e.seq, e])),
    byPosition: new Map(entries.map((e) => [`${e.partition}:${e.offset}`, e.seq])),
  };
}

/**
 * One pass over the whole topic, up to the ends it had when the read began: the entries of each
 * of runIds (record headers runId and seq). Records of other runs are skipped.
 */
export async function readPublished(options: {
  brokers: string[];
  topic: string;
  runIds: ReadonlySet<string>;
  timeoutMs?: number;
  /** What is being read, for the timeout's message. */
  what?: string;
}): Promise<Map<string, LedgerEntry[]>> {
  const kafka = new Kafka({ clientId: 'workshop-ledger', brokers: options.brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await retryTransientKafka('Connecting to the broker to read the topic back', () => admin.connect());
  const ends = await retryTransientKafka(`Reading the end offsets of ${options.topic}`, () => admin.fetchTopicOffsets(options.topic)).finally(() =>
    admin.disconnect(),
  );
  const remaining = new Map(ends.filter((p) => Number(p.high) > Number(p.low)).map((p) => [p.partition, Number(p.high)]));
  const published = new Map<string, LedgerEntry[]>([...options.runIds].map((id) => [id, []]));
  const timeoutMs = options.timeoutMs ?? 30_000;
  // Large fetches: a soak reads back millions of records.
  const consumer = kafka.consumer({
    groupId: `workshop-ledger-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`,
    maxWaitTimeInMs: 100,
    maxBytes: 50 * 1024 * 1024,
  });
  let found = 0;
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [options.topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(`ledger: read ${found} of ${options.what ?? 'the events'} from ${options.topic} before the ${Math.round(timeoutMs / 1000)} s timeout`),
          ),
        timeoutMs,
      );
      const finishIfDone = () => {
        if (remaining.size === 0) {
          clearTimeout(timer);
          resolve();
        }
      };
      finishIfDone();
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            for (const m of batch.messages) {
              const entries = published.get(m.headers?.runId?.toString() ?? '');
              if (entries) {
                entries.push({ seq: Number(m.headers!.seq!.toString()), partition: batch.partition, offset: Number(m.offset) });
                found++;
              }
              if (Number(m.offset) + 1 >= (remaining.get(batch.partition) ?? Infinity)) remaining.delete(batch.partition);
            }
            finishIfDone();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return published;
}
