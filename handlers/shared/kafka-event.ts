// The Kafka event source mapping's invocation payload (Amazon MSK and self-managed Kafka) and
// its partial batch response. Shape per the Lambda developer guide (with-msk.html,
// with-kafka.html): records grouped under "topic-partition" keys, key and value base64,
// header values as byte arrays.

export interface KafkaEventRecord {
  topic: string;
  /** A number on current payloads; some older documentation samples show a string. */
  partition: number | string;
  offset: number | string;
  timestamp: number;
  timestampType?: string;
  key?: string | null;
  value?: string | null;
  headers?: Array<Record<string, number[] | string>>;
}

export interface KafkaEvent {
  /** "aws:kafka" for Amazon MSK; "SelfManagedKafka" (older payloads: "aws:SelfManagedKafka"). */
  eventSource: string;
  eventSourceArn?: string;
  bootstrapServers?: string;
  records: Record<string, KafkaEventRecord[]>;
}

/** One record, decoded; `value` stays bytes so a non-UTF-8 value can be reported, not crash. */
export interface DecodedKafkaRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key?: string;
  value: Uint8Array | null;
  headers: Record<string, string>;
}

/**
 * Kafka partial batch response, returned when the ESM has FunctionResponseTypes
 * [ReportBatchItemFailures] (provisioned mode). Each failed record is identified by an object:
 * its "topic-partition" string and its offset, not by a string as for SQS or Kinesis:
 *   {"batchItemFailures": [{"itemIdentifier": {"partition": "mytopic-0", "offset": 15}}]}
 * Feature: https://docs.aws.amazon.com/lambda/latest/dg/kafka-retry-configurations.html
 * Shape as implemented by Powertools for AWS Lambda (Python), EventType.Kafka:
 * aws_lambda_powertools/utilities/batch/base.py `_collect_kafka_failures` and types.py
 * `KafkaItemIdentifier {partition: str, offset: int}` (an early version of that example used the
 * key "topic-partition"; the released code uses "partition"); other clients that cite the AWS
 * page (e.g. the Benzene .NET library's KafkaBatchResponse) give the same shape. Re-check the AWS page
 * if Lambda ever rejects the response as malformed: it then treats the whole batch as failed.
 */
export interface KafkaBatchResponse {
  batchItemFailures: Array<{ itemIdentifier: { partition: string; offset: number } }>;
}

const KAFKA_EVENT_SOURCES = new Set(['aws:kafka', 'SelfManagedKafka', 'aws:SelfManagedKafka']);

export function isKafkaEvent(event: unknown): event is KafkaEvent {
  const candidate = event as Partial<KafkaEvent> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.eventSource === 'string' &&
    KAFKA_EVENT_SOURCES.has(candidate.eventSource) &&
    typeof candidate.records === 'object' &&
    candidate.records !== null
  );
}

/** All records of the payload, partition by partition, each partition in offset order. */
export function decodeKafkaEvent(event: unknown): DecodedKafkaRecord[] {
  if (!isKafkaEvent(event)) {
    const source = (event as { eventSource?: unknown } | null)?.eventSource;
    throw new Error(
      `Not a Kafka event source mapping payload (eventSource ${JSON.stringify(source)}): expected ` +
        `eventSource "aws:kafka" or "SelfManagedKafka" and a "records" object keyed by "topic-partition".`,
    );
  }
  const decoded: DecodedKafkaRecord[] = [];
  for (const [topicPartition, records] of Object.entries(event.records)) {
    for (const record of records ?? []) decoded.push(decodeRecord(topicPartition, record));
  }
  return decoded;
}

function decodeRecord(topicPartition: string, record: KafkaEventRecord): DecodedKafkaRecord {
  const { topic, partition } = topicAndPartition(topicPartition, record);
  return {
    topic,
    partition,
    offset: Number(record.offset),
    timestamp: Number(record.timestamp),
    ...(typeof record.key === 'string' ? { key: Buffer.from(record.key, 'base64').toString('utf8') } : {}),
    value: typeof record.value === 'string' ? new Uint8Array(Buffer.from(record.value, 'base64')) : null,
    headers: decodeHeaders(record.headers),
  };
}

function topicAndPartition(topicPartition: string, record: KafkaEventRecord): { topic: string; partition: number } {
  // The record carries both; the group key is the fallback ("my-topic-3": the last dash splits).
  const cut = topicPartition.lastIndexOf('-');
  const topic = typeof record.topic === 'string' ? record.topic : topicPartition.slice(0, cut);
  const partition = record.partition !== undefined ? Number(record.partition) : Number(topicPartition.slice(cut + 1));
  return { topic, partition };
}

function decodeHeaders(headers: KafkaEventRecord['headers']): Record<string, string> {
  const decoded: Record<string, string> = {};
  for (const header of headers ?? []) {
    for (const [name, raw] of Object.entries(header)) {
      // Byte arrays may come as signed Java bytes (-128..127); older samples used base64 strings.
      const bytes = Array.isArray(raw) ? Buffer.from(raw.map((b) => b & 0xff)) : Buffer.from(String(raw), 'base64');
      decoded[name] = bytes.toString('utf8');
    }
  }
  return decoded;
}

/** The "topic-partition" string the partial batch response identifies a record by. */
export function topicPartitionOf(record: Pick<DecodedKafkaRecord, 'topic' | 'partition'>): string {
  return `${record.topic}-${record.partition}`;
}

/** Failures sorted by partition and offset, the order Lambda resumes each partition in. */
export function kafkaBatchResponse(failed: ReadonlyArray<Pick<DecodedKafkaRecord, 'topic' | 'partition' | 'offset'>>): KafkaBatchResponse {
  const sorted = [...failed].sort((a, b) => topicPartitionOf(a).localeCompare(topicPartitionOf(b)) || a.offset - b.offset);
  return {
    batchItemFailures: sorted.map((r) => ({ itemIdentifier: { partition: topicPartitionOf(r), offset: r.offset } })),
  };
}
