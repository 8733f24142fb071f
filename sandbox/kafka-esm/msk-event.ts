// The payloads a Kafka ESM produces, in AWS's shapes (DESIGN §3):
// - the invoke event: records grouped under "topic-partition", key and value base64, header
//   values as arrays of byte numbers; "aws:kafka" with an eventSourceArn for MSK, or
//   "SelfManagedKafka" without one;
// - the on-failure invocation record sent to an SQS/SNS destination: metadata only, with the
//   offset range of each partition (with-msk-on-failure.html).
import type { InvokeResult } from './failure-policy.ts';
import { partitionKey, type PolledRecord } from './polled-record.ts';

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
}

export interface KafkaEvent {
  eventSource: 'aws:kafka' | 'SelfManagedKafka';
  eventSourceArn?: string;
  bootstrapServers: string;
  records: Record<string, KafkaEventRecord[]>;
}

export function toKafkaEvent(records: PolledRecord[], source: KafkaEventSource): KafkaEvent {
  const grouped: Record<string, KafkaEventRecord[]> = {};
  for (const r of records) {
    const entry: KafkaEventRecord = {
      topic: r.topic,
      partition: r.partition,
      offset: r.offset,
      timestamp: r.timestamp,
      timestampType: r.timestampType,
      value: r.value ? r.value.toString('base64') : null,
      headers: r.headers.map((h) => Object.fromEntries(Object.entries(h).map(([name, v]) => [name, [...v]]))),
    };
    if (r.key) entry.key = r.key.toString('base64');
    (grouped[partitionKey(r)] ??= []).push(entry);
  }
  return source.kind === 'msk'
    ? { eventSource: 'aws:kafka', eventSourceArn: source.clusterArn, bootstrapServers: source.bootstrapServers, records: grouped }
    : { eventSource: 'SelfManagedKafka', bootstrapServers: source.bootstrapServers, records: grouped };
}

export interface OnFailureRecord {
  requestContext: { requestId: string; functionArn: string; condition: string; approximateInvokeCount: number };
  responseContext: { statusCode: number; executedVersion: string; functionError?: string };
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
    responseContext: { statusCode: 200, executedVersion: '$LATEST', ...(failed ? { functionError: 'Unhandled' } : {}) },
    version: '1.0',
    timestamp: new Date(input.now).toISOString(),
    KafkaBatchInfo: {
      batchSize: input.records.length,
      ...(input.source.clusterArn ? { eventSourceArn: input.source.clusterArn } : {}),
      bootstrapServers: input.source.bootstrapServers,
      payloadSize: JSON.stringify(toKafkaEvent(input.records, input.source)).length,
      recordsInfo,
    },
  };
}
