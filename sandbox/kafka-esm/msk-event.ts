// The payloads a Kafka ESM produces, in AWS's shapes (with-msk.html, kafka-on-failure.html):
// - the invoke event: records grouped under "topic-partition", key and value base64, header
//   values as arrays of byte numbers; "aws:kafka" with an eventSourceArn for MSK, or
//   "SelfManagedKafka" without one;
// - the on-failure invocation record sent to an SQS/SNS destination: metadata only, with the
//   offset range of each partition (with-msk-on-failure.html).
import type { InvokeResult } from './failure-policy.ts';
import { type PolledRecord, partitionKey, type SchemaMetadata } from './polled-record.ts';

export interface KafkaEventSource {
  kind: 'msk' | 'self-managed';
  /** MSK only. */
  clusterArn?: string;
  bootstrapServers: string;
}

export interface KafkaEventRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  timestampType: 'CREATE_TIME' | 'LOG_APPEND_TIME';
  key?: string;
  value: string | null;
  headers: Array<Record<string, number[]>>;
  /** Only with a schema registry, for each validated attribute. */
  keySchemaMetadata?: SchemaMetadata;
  valueSchemaMetadata?: SchemaMetadata;
}

export interface KafkaEvent {
  eventSource: 'aws:kafka' | 'SelfManagedKafka';
  eventSourceArn?: string;
  bootstrapServers: string;
  records: Record<string, KafkaEventRecord[]>;
}

function headerEntry(header: Record<string, Buffer>): Record<string, number[]> {
  return Object.fromEntries(Object.entries(header).map(([name, v]) => [name, [...v]]));
}

function toEventRecord(r: PolledRecord): KafkaEventRecord {
  const entry: KafkaEventRecord = {
    topic: r.topic,
    partition: r.partition,
    offset: r.offset,
    timestamp: r.timestamp,
    timestampType: r.timestampType,
    value: r.value ? r.value.toString('base64') : null,
    headers: r.headers.length === 0 ? [] : r.headers.map(headerEntry),
  };
  if (r.key) entry.key = r.key.toString('base64');
  if (r.keySchemaMetadata) entry.keySchemaMetadata = r.keySchemaMetadata;
  if (r.valueSchemaMetadata) entry.valueSchemaMetadata = r.valueSchemaMetadata;
  return entry;
}

function envelope(source: KafkaEventSource): Omit<KafkaEvent, 'records'> {
  return source.kind === 'msk'
    ? { eventSource: 'aws:kafka', eventSourceArn: source.clusterArn, bootstrapServers: source.bootstrapServers }
    : { eventSource: 'SelfManagedKafka', bootstrapServers: source.bootstrapServers };
}

export function toKafkaEvent(records: PolledRecord[], source: KafkaEventSource): KafkaEvent {
  const grouped: Record<string, KafkaEventRecord[]> = {};
  for (const r of records) (grouped[partitionKey(r)] ??= []).push(toEventRecord(r));
  return { ...envelope(source), records: grouped };
}

/**
 * A record's JSON in the event, as UTF-8 bytes, made once: a record waits through several batch
 * decisions and may be invoked again on retry. Bytes, not text: on the main thread, copying
 * buffers into one payload is several times cheaper than joining strings, and the payload is
 * then handed to the function's thread without a copy (see JsonPayload).
 */
const eventJson = new WeakMap<PolledRecord, Buffer>();

function recordJson(record: PolledRecord): Buffer {
  let made = eventJson.get(record);
  if (!made) eventJson.set(record, (made = Buffer.from(JSON.stringify(toEventRecord(record)), 'utf8')));
  return made;
}

/** Exactly the UTF-8 bytes of JSON.stringify(toKafkaEvent(records, source)), in a buffer of its own. */
export function kafkaEventBytes(records: PolledRecord[], source: KafkaEventSource): Buffer {
  const groups = new Map<string, Buffer[]>();
  for (const r of records) {
    const key = partitionKey(r);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = []));
    group.push(recordJson(r));
  }
  const head = JSON.stringify(envelope(source));
  const pieces: Buffer[] = [Buffer.from(`${head.slice(0, -1)},"records":{`)];
  let first = true;
  for (const [key, group] of groups) {
    pieces.push(Buffer.from(`${first ? '' : ','}${JSON.stringify(key)}:[`));
    group.forEach((json, i) => {
      if (i > 0) pieces.push(COMMA);
      pieces.push(json);
    });
    pieces.push(CLOSE_GROUP);
    first = false;
  }
  pieces.push(CLOSE_EVENT);
  let size = 0;
  for (const piece of pieces) size += piece.length;
  // Not Buffer.concat: it may return a slice of Node's shared pool, which cannot be transferred.
  const out = Buffer.allocUnsafeSlow(size);
  let at = 0;
  for (const piece of pieces) at += piece.copy(out, at);
  return out;
}

const COMMA = Buffer.from(',');
const CLOSE_GROUP = Buffer.from(']');
const CLOSE_EVENT = Buffer.from('}}');

/** UTF-8 bytes a record adds to the invoke payload: its JSON text and the comma after it. */
export function payloadBytes(record: PolledRecord): number {
  return recordJson(record).length + 1;
}

/** UTF-8 bytes a partition's group adds around its records: `"topic-0":[` and `],`. */
export function partitionGroupBytes(key: string): number {
  return Buffer.byteLength(JSON.stringify(key), 'utf8') + 4;
}

export interface OnFailureRecord {
  requestContext: { requestId: string; functionArn: string; condition: string; approximateInvokeCount: number };
  /** Null when the function never answered for these records (kafka-on-failure.html: "null if record is MaximumPayloadSizeExceeded"). */
  responseContext: { statusCode: number; executedVersion: string; functionError?: string } | null;
  version: '1.0';
  timestamp: string;
  KafkaBatchInfo: {
    batchSize: number;
    eventSourceArn?: string;
    bootstrapServers: string;
    payloadSize: number;
    recordsInfo: Record<string, { firstRecordOffset: string; lastRecordOffset: string; firstRecordTimestamp: string; lastRecordTimestamp: string }>;
  };
}

export function toOnFailureRecord(input: {
  records: PolledRecord[];
  condition: string;
  invokeCount: number;
  lastResult?: InvokeResult;
  functionArn: string;
  requestId: string;
  source: KafkaEventSource;
  now: number;
}): OnFailureRecord {
  const recordsInfo: OnFailureRecord['KafkaBatchInfo']['recordsInfo'] = {};
  for (const r of input.records) {
    const key = partitionKey(r);
    const info = recordsInfo[key];
    if (!info) {
      recordsInfo[key] = {
        firstRecordOffset: String(r.offset),
        lastRecordOffset: String(r.offset),
        firstRecordTimestamp: new Date(r.timestamp).toISOString(),
        lastRecordTimestamp: new Date(r.timestamp).toISOString(),
      };
    } else {
      if (r.offset < Number(info.firstRecordOffset)) {
        info.firstRecordOffset = String(r.offset);
        info.firstRecordTimestamp = new Date(r.timestamp).toISOString();
      }
      if (r.offset > Number(info.lastRecordOffset)) {
        info.lastRecordOffset = String(r.offset);
        info.lastRecordTimestamp = new Date(r.timestamp).toISOString();
      }
    }
  }
  const failed = input.lastResult && input.lastResult.kind !== 'success';
  return {
    requestContext: { requestId: input.requestId, functionArn: input.functionArn, condition: input.condition, approximateInvokeCount: input.invokeCount },
    responseContext: input.lastResult ? { statusCode: 200, executedVersion: '$LATEST', ...(failed ? { functionError: 'Unhandled' } : {}) } : null,
    version: '1.0',
    timestamp: new Date(input.now).toISOString(),
    KafkaBatchInfo: {
      batchSize: input.records.length,
      ...(input.source.clusterArn ? { eventSourceArn: input.source.clusterArn } : {}),
      bootstrapServers: input.source.bootstrapServers,
      // "payloadSize": 2039086, // In bytes
      payloadSize: Buffer.byteLength(JSON.stringify(toKafkaEvent(input.records, input.source)), 'utf8'),
      recordsInfo,
    },
  };
}

/** The S3 destination's object: the SQS/SNS record plus the whole invocation event, as an escaped JSON string. */
export interface S3OnFailureRecord extends OnFailureRecord {
  payload: string;
}

export function toS3OnFailureRecord(input: Parameters<typeof toOnFailureRecord>[0]): S3OnFailureRecord {
  return { ...toOnFailureRecord(input), payload: JSON.stringify(toKafkaEvent(input.records, input.source)) };
}

/**
 * The S3 destination's object key. AWS documents `aws/lambda/<ESM-UUID>/<shardID>/YYYY/MM/DD/
 * YYYY-MM-DDTHH.MM.SS-<random UUID>` for streams and no key for Kafka; the sandbox puts the
 * topic-partition where the shard would be.
 */
export function s3OnFailureKey(esmUuid: string, partition: string, now: number, random: string): string {
  const iso = new Date(now).toISOString();
  const day = iso.slice(0, 10).replace(/-/g, '/');
  return `aws/lambda/${esmUuid}/${partition}/${day}/${iso.slice(0, 19).replace(/:/g, '.')}-${random}`;
}

/**
 * One message of a Kafka (`kafka://`) destination: one failed record, its failure metadata, and
 * the record itself as the function received it (kafka-on-failure-destination.html). AWS spells
 * the condition `RetriesExhausted` here and `RetryAttemptsExhausted` in SQS, SNS and S3 records.
 */
export interface KafkaDestinationMessage {
  requestContext: OnFailureRecord['requestContext'];
  responseContext: OnFailureRecord['responseContext'];
  version: '1.0';
  timestamp: string;
  KafkaBatchInfo: {
    batchSize: 1;
    eventSourceArn?: string;
    bootstrapServers: string;
    payloadSize: number;
    recordInfo: { offset: string; timestamp: string };
  };
  payload: KafkaEvent;
}

export function toKafkaDestinationMessage(input: Omit<Parameters<typeof toOnFailureRecord>[0], 'records'> & { record: PolledRecord }): {
  key: Buffer | null;
  value: string;
} {
  const base = toOnFailureRecord({ ...input, records: [input.record] });
  const payload = toKafkaEvent([input.record], input.source);
  const message: KafkaDestinationMessage = {
    requestContext: { ...base.requestContext, condition: input.condition === 'RetryAttemptsExhausted' ? 'RetriesExhausted' : input.condition },
    responseContext: base.responseContext,
    version: '1.0',
    timestamp: base.timestamp,
    KafkaBatchInfo: {
      batchSize: 1,
      ...(input.source.clusterArn ? { eventSourceArn: input.source.clusterArn } : {}),
      bootstrapServers: input.source.bootstrapServers,
      payloadSize: base.KafkaBatchInfo.payloadSize,
      recordInfo: { offset: String(input.record.offset), timestamp: new Date(input.record.timestamp).toISOString() },
    },
    payload,
  };
  // "Lambda uses the same partition key from the original record when producing to the destination topic."
  return { key: input.record.key, value: JSON.stringify(message) };
}

/** The original record values a Kafka destination message carries (base64-decoded). */
export function recordValuesOf(message: KafkaDestinationMessage): Buffer[] {
  return Object.values(message.payload.records)
    .flat()
    .flatMap((r) => (r.value ? [Buffer.from(r.value, 'base64')] : []));
}
