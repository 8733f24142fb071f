// How a Kafka record travels through the SQS buffer (lab 3): the body is the Kafka value as text,
// and the record's origin rides along as message attributes. The forwarder writes this format
// and the sqs-processor reads it; both live here so they cannot drift apart.

import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import type { DecodedKafkaRecord } from './kafka-event.ts';

export const SQS_ATTRIBUTES = {
  topic: 'kafka.topic',
  partition: 'kafka.partition',
  offset: 'kafka.offset',
  timestamp: 'kafka.timestamp',
  key: 'kafka.key',
  /** Absent for UTF-8 text; "base64" when the value is not SQS-safe text; "empty" for a null/empty value. */
  valueEncoding: 'kafka.valueEncoding',
} as const;

/**
 * SQS limit for one message and for a whole SendMessageBatch (the sum of its messages): 1 MiB,
 * 1,048,576 bytes, counting the body and every attribute's name, type and value. Source:
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html
 * (raised from 256 KiB in 2025; a queue's own MaximumMessageSize can be lower, and local SQS
 * servers may still enforce 262,144, so the forwarder takes SQS_MAX_MESSAGE_BYTES.)
 */
export const SQS_MAX_MESSAGE_BYTES = 1_048_576;
export const SQS_MAX_BATCH_ENTRIES = 10;

export interface SqsMessage {
  MessageBody: string;
  MessageAttributes: Record<string, MessageAttributeValue>;
}

// Characters SQS accepts in a body (W3C XML Char): anything else is rejected or replaced.
const SQS_UNSAFE = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function toSqsMessage(record: DecodedKafkaRecord): SqsMessage {
  const attributes: Record<string, MessageAttributeValue> = {
    [SQS_ATTRIBUTES.topic]: { DataType: 'String', StringValue: record.topic },
    [SQS_ATTRIBUTES.partition]: { DataType: 'Number', StringValue: String(record.partition) },
    [SQS_ATTRIBUTES.offset]: { DataType: 'Number', StringValue: String(record.offset) },
    [SQS_ATTRIBUTES.timestamp]: { DataType: 'Number', StringValue: String(record.timestamp) },
  };
  if (record.key !== undefined && record.key.length > 0) {
    attributes[SQS_ATTRIBUTES.key] = SQS_UNSAFE.test(record.key)
      ? { DataType: 'String.base64', StringValue: Buffer.from(record.key, 'utf8').toString('base64') }
      : { DataType: 'String', StringValue: record.key };
  }
  const text = safeText(record.value);
  if (text !== undefined) return { MessageBody: text, MessageAttributes: attributes };

  // Never drop or mangle a value SQS cannot carry as text: encode it and say so.
  const empty = record.value === null || record.value.byteLength === 0;
  attributes[SQS_ATTRIBUTES.valueEncoding] = { DataType: 'String', StringValue: empty ? 'empty' : 'base64' };
  return {
    MessageBody: empty ? '(empty Kafka value)' : Buffer.from(record.value as Uint8Array).toString('base64'),
    MessageAttributes: attributes,
  };
}

function safeText(value: Uint8Array | null): string | undefined {
  if (value === null || value.byteLength === 0) return undefined;
  try {
    const text = utf8.decode(value);
    return SQS_UNSAFE.test(text) ? undefined : text;
  } catch {
    return undefined;
  }
}

/** The size SQS charges against its limit: body plus each attribute's name, type and value. */
export function sqsMessageBytes(message: SqsMessage): number {
  let bytes = Buffer.byteLength(message.MessageBody, 'utf8');
  for (const [name, attribute] of Object.entries(message.MessageAttributes)) {
    bytes += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(attribute.DataType ?? '', 'utf8');
    if (attribute.StringValue !== undefined) bytes += Buffer.byteLength(attribute.StringValue, 'utf8');
    if (attribute.BinaryValue !== undefined) bytes += attribute.BinaryValue.byteLength;
  }
  return bytes;
}

/** The original Kafka value of a forwarded message, undoing the forwarder's encoding. */
export function kafkaValueOf(record: Pick<SQSRecord, 'body' | 'messageAttributes'>): string | Uint8Array | null {
  const encoding = record.messageAttributes?.[SQS_ATTRIBUTES.valueEncoding]?.stringValue;
  if (encoding === 'empty') return null;
  if (encoding === 'base64') return new Uint8Array(Buffer.from(record.body, 'base64'));
  return record.body;
}
