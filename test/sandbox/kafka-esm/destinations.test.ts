// What each on-failure destination receives, in the shapes AWS documents (kafka-on-failure.html,
// kafka-on-failure-destination.html): SQS and SNS the invocation record, S3 the record plus the
// whole payload, a Kafka topic one message per failed record with the record inside.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  type KafkaDestinationMessage,
  recordValuesOf,
  s3OnFailureKey,
  toKafkaDestinationMessage,
  toKafkaEvent,
  toS3OnFailureRecord,
} from '../../../sandbox/kafka-esm/msk-event.ts';
import { record } from './records.ts';

const source = { kind: 'msk' as const, clusterArn: 'arn:aws:kafka:us-east-1:000000000000:cluster/sandbox/abc-1', bootstrapServers: '127.0.0.1:9092' };
const NOW = Date.UTC(2026, 11, 5, 6, 7, 8, 9);
const common = {
  condition: 'RetryAttemptsExhausted',
  invokeCount: 3,
  lastResult: { kind: 'function-error' as const, message: 'poison' },
  functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:f',
  requestId: 'r-1',
  source,
  now: NOW,
};

test('Kafka destination: one message per record, keyed as the original, condition RetriesExhausted, the record inside', () => {
  const failed = record(3, 42, NOW - 1000, 20);
  const { key, value } = toKafkaDestinationMessage({ ...common, record: failed });
  assert.equal(key, failed.key, 'the same partition key as the original record');
  const message = JSON.parse(value) as KafkaDestinationMessage;
  assert.equal(message.requestContext, { requestId: 'r-1', functionArn: common.functionArn, condition: 'RetriesExhausted', approximateInvokeCount: 3 });
  assert.equal(message.responseContext, { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' });
  assert.is(message.version, '1.0');
  assert.equal(message.KafkaBatchInfo.recordInfo, { offset: '42', timestamp: new Date(NOW - 1000).toISOString() });
  assert.is(message.KafkaBatchInfo.batchSize, 1);
  assert.equal(message.payload, toKafkaEvent([failed], source), 'the payload is the event the function received, as an object');
  assert.equal(recordValuesOf(message), [failed.value]);
});

test('a record never invoked (too large for a payload): MaximumPayloadSizeExceeded, no invocations, responseContext null', () => {
  const failed = record(3, 42, NOW - 1000, 20);
  const oversized = { ...common, condition: 'MaximumPayloadSizeExceeded', invokeCount: 0, lastResult: undefined };
  const sqsRecord = toS3OnFailureRecord({ ...oversized, records: [failed] });
  assert.is(sqsRecord.requestContext.condition, 'MaximumPayloadSizeExceeded');
  assert.is(sqsRecord.requestContext.approximateInvokeCount, 0);
  assert.is(sqsRecord.responseContext, null);
  const message = JSON.parse(toKafkaDestinationMessage({ ...oversized, record: failed }).value) as KafkaDestinationMessage;
  assert.is(message.requestContext.condition, 'MaximumPayloadSizeExceeded', 'only RetryAttemptsExhausted is respelled for a Kafka destination');
  assert.is(message.responseContext, null);
});

test('payloadSize is the invocation event in bytes ("In bytes")', () => {
  const run = [record(0, 1, NOW, 10), record(0, 2, NOW, 300)];
  const object = toS3OnFailureRecord({ ...common, records: run });
  assert.is(object.KafkaBatchInfo.payloadSize, Buffer.byteLength(JSON.stringify(toKafkaEvent(run, source)), 'utf8'));
});

test('S3 destination: the SQS/SNS record plus the whole invocation event as an escaped JSON string', () => {
  const run = [record(0, 7, NOW, 10), record(0, 8, NOW, 10)];
  const object = toS3OnFailureRecord({ ...common, records: run });
  assert.is(object.requestContext.condition, 'RetryAttemptsExhausted');
  assert.equal(object.KafkaBatchInfo.recordsInfo['bookings-0'].firstRecordOffset, '7');
  assert.equal(object.KafkaBatchInfo.recordsInfo['bookings-0'].lastRecordOffset, '8');
  assert.type(object.payload, 'string');
  assert.equal(JSON.parse(object.payload), toKafkaEvent(run, source));
});

test('S3 object key: aws/lambda/<uuid>/<topic-partition>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<uuid>', () => {
  assert.is(s3OnFailureKey('esm-1', 'bookings-3', NOW, 'x-1'), 'aws/lambda/esm-1/bookings-3/2026/12/05/2026-12-05T06.07.08-x-1');
});

test.run();
