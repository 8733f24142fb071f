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
  /** With a schema registry: the schema of the validated key or value (the event's keySchemaMetadata, valueSchemaMetadata). */
  keySchemaMetadata?: SchemaMetadata;
  valueSchemaMetadata?: SchemaMetadata;
  /** With a schema registry in SOURCE format: the decoded value as JSON, what filters match (AWS filters after deserializing). */
  filterValue?: Buffer;
  /** With a schema registry: why the record failed validation; it is not invoked. */
  schemaFailure?: SchemaFailure;
}

/** What the event says of a validated attribute's schema (services-consume-kafka-events.html). */
export interface SchemaMetadata {
  dataFormat: 'AVRO';
  schemaId: string;
}

/**
 * The reason codes AWS names for a record that fails validation: "SCHEMA_NOT_FOUND" when the
 * registry has no schema for it, "DESERIALIZATION_ERROR" when it does not deserialize.
 */
export interface SchemaFailure {
  condition: 'SCHEMA_NOT_FOUND' | 'DESERIALIZATION_ERROR';
  message: string;
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
