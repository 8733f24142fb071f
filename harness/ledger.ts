// What was actually published, read back from the broker: for each event of a run, its
// partition and offset. The producer's own count says what it sent; the ledger says what the
// topic holds, and maps an on-failure destination's offset ranges back to (runId, seq).
import { Kafka, logLevel } from 'kafkajs';

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
  const kafka = new Kafka({ clientId: 'workshop-ledger', brokers: options.brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(options.topic).finally(() => admin.disconnect());
  const remaining = new Map(ends.filter((p) => Number(p.high) > Number(p.low)).map((p) => [p.partition, Number(p.high)]));
  const consumer = kafka.consumer({ groupId: `workshop-ledger-${options.runId}-${Date.now()}`, maxWaitTimeInMs: 100 });
  const entries: LedgerEntry[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [options.topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`ledger: read ${entries.length} of ${options.expected} events of run ${options.runId} from ${options.topic} before the timeout`)), options.timeoutMs ?? 30_000);
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
              if (m.headers?.runId?.toString() === options.runId) {
                entries.push({ seq: Number(m.headers.seq!.toString()), partition: batch.partition, offset: Number(m.offset) });
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
  return {
    runId: options.runId,
    entries,
    bySeq: new Map(entries.map((e) => [e.seq, e])),
    byPosition: new Map(entries.map((e) => [`${e.partition}:${e.offset}`, e.seq])),
  };
}
