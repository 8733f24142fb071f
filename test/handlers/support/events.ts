// Invocation payloads for the handler tests.

import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { makeBooking, makePoisonEvent } from '../../../handlers/shared/booking.ts';
import type { KafkaEvent, KafkaEventRecord } from '../../../handlers/shared/kafka-event.ts';
import { toSqsMessage } from '../../../handlers/shared/sqs-message.ts';
import type { BookingStatus } from '../../../handlers/shared/traffic.ts';

/**
 * The example Amazon MSK event from the Lambda developer guide
 * (https://docs.aws.amazon.com/lambda/latest/dg/with-msk.html). Its value is the plain text
 * "Hello, this is a test.", not a booking.
 */
export const AWS_SAMPLE_MSK_EVENT: KafkaEvent = {
  eventSource: 'aws:kafka',
  eventSourceArn: 'arn:aws:kafka:us-east-1:123456789012:cluster/vpc-2priv-2pub/751d2973-a626-431c-9d4e-d7975eb44dd7-2',
  bootstrapServers: 'b-2.demo-cluster-1.a1bcde.c1.kafka.us-east-1.amazonaws.com:9092,b-1.demo-cluster-1.a1bcde.c1.kafka.us-east-1.amazonaws.com:9092',
  records: {
    'mytopic-0': [
      {
        topic: 'mytopic',
        partition: 0,
        offset: 15,
        timestamp: 1545084650987,
        timestampType: 'CREATE_TIME',
        key: 'abcDEFghiJKLmnoPQRstuVWXyz1234==',
        value: 'SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg==',
        headers: [{ headerKey: [104, 101, 97, 100, 101, 114, 86, 97, 108, 117, 101] }],
      },
    ],
  },
};

export interface BookingSpec {
  runId?: string;
  seq: number;
  intendedAt?: number;
  bookingId?: string;
  status?: BookingStatus;
  poison?: boolean;
  eventBytes?: number;
}

export function bookingValue(spec: BookingSpec): string {
  const common = {
    runId: spec.runId ?? 'run-1',
    seq: spec.seq,
    intendedAt: spec.intendedAt ?? Date.now(),
    flight: 'LH1234',
    eventBytes: spec.eventBytes ?? 256,
  };
  return spec.poison ? makePoisonEvent(common) : makeBooking({ ...common, bookingId: spec.bookingId ?? `BK-${spec.seq}`, status: spec.status ?? 'CONFIRMED' });
}

export function kafkaRecord(topic: string, partition: number, offset: number, value: string | Buffer | null, key?: string): KafkaEventRecord {
  return {
    topic,
    partition,
    offset,
    timestamp: 1_700_000_000_000 + offset,
    timestampType: 'CREATE_TIME',
    ...(key !== undefined ? { key: Buffer.from(key).toString('base64') } : {}),
    value: value === null ? null : Buffer.from(value).toString('base64'),
    headers: [],
  };
}

export function kafkaEvent(records: KafkaEventRecord[], eventSource = 'aws:kafka'): KafkaEvent {
  const grouped: Record<string, KafkaEventRecord[]> = {};
  for (const r of records) (grouped[`${r.topic}-${r.partition}`] ??= []).push(r);
  return { eventSource, eventSourceArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/test/abc', records: grouped };
}

/** An SQS event as the SQS ESM delivers messages the forwarder sent. */
export function sqsEventFromKafka(records: Array<{ partition: number; offset: number; value: Uint8Array | null; key?: string }>): SQSEvent {
  return {
    Records: records.map((r, i): SQSRecord => {
      const message = toSqsMessage({ topic: 'bookings', partition: r.partition, offset: r.offset, timestamp: 1, key: r.key, value: r.value, headers: {} });
      return {
        messageId: `msg-${i}`,
        receiptHandle: `rh-${i}`,
        body: message.MessageBody,
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: '1',
          SenderId: 'sender',
          ApproximateFirstReceiveTimestamp: '1',
        },
        messageAttributes: Object.fromEntries(
          Object.entries(message.MessageAttributes).map(([name, a]) => [name, { dataType: a.DataType ?? 'String', stringValue: a.StringValue }]),
        ),
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:bookings-buffer',
        awsRegion: 'eu-west-1',
      };
    }),
  };
}
