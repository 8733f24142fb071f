// A record as a poller holds it between the fetch and the invocation.

export interface PolledRecord {
  topic: string;
  partition: number;
  offset: number;
  /** The record's timestamp in epoch ms: the producer's, or the broker's when the topic says so. */
  timestamp: number;
  /** The topic's message.timestamp.type: LOG_APPEND_TIME makes the broker's append time the timestamp. */
  timestampType: 'CREATE_TIME' | 'LOG_APPEND_TIME';
  key: Buffer | null;
  value: Buffer | null;
  /** One entry per header, in the order kafkajs gives them; a repeated key gives several entries. */
  headers: Array<Record<string, Buffer>>;
  /** When the poller received it: a batching window opens at its first record's arrival. */
  polledAt: number;
}

export function partitionKey(record: { topic: string; partition: number }): string {
  return `${record.topic}-${record.partition}`;
}

/** Records by partitionKey, each list in the order given. */
export function groupByPartition(records: Iterable<PolledRecord>): Map<string, PolledRecord[]> {
  const byPartition = new Map<string, PolledRecord[]>();
  for (const record of records) {
    const key = partitionKey(record);
    const list = byPartition.get(key);
    if (list) list.push(record);
    else byPartition.set(key, [record]);
  }
  return byPartition;
}
