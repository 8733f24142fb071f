import { SendMessageBatchCommand, type SendMessageBatchCommandInput, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { kafkaValueOf, SQS_ATTRIBUTES } from '../../handlers/shared/sqs-message.ts';
import { handler, sqsEntryId } from '../../handlers/sqs-forwarder.ts';
import { withEnv } from './support/env.ts';
import { bookingValue, kafkaEvent, kafkaRecord } from './support/events.ts';
import { captureStdout, logLines, metricValues } from './support/stdout.ts';

const sqs = mockClient(SQSClient);
const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/bookings-buffer';
const ENV = { QUEUE_URL, SQS_SEND_BASE_DELAY_MS: '0', SQS_SEND_MAX_ATTEMPTS: '4', SQS_MAX_MESSAGE_BYTES: undefined, LAB_ID: undefined };

type Entry = NonNullable<SendMessageBatchCommandInput['Entries']>[number];

function recordsWithHeaders(count: number, partitions = 3) {
  return Array.from({ length: count }, (_, i) => ({
    ...kafkaRecord('bookings', i % partitions, 1000 + i, bookingValue({ seq: i }), `BK-${i}`),
    headers: [{ runId: [...Buffer.from('run-1')] }, { seq: [...Buffer.from(String(i))] }] as Array<Record<string, number[]>>,
  }));
}

/** Answers each call with success, except the entries `decide` fails. Returns the calls made. */
function answer(decide: (entry: Entry, call: number) => { SenderFault: boolean; Code: string } | undefined) {
  const calls: Entry[][] = [];
  sqs.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => {
    const entries = input.Entries ?? [];
    calls.push(entries);
    const failed = entries.flatMap((e) => {
      const f = decide(e, calls.length);
      return f ? [{ Id: e.Id, SenderFault: f.SenderFault, Code: f.Code, Message: `${f.Code} for ${e.Id}` }] : [];
    });
    const failedIds = new Set(failed.map((f) => f.Id));
    return {
      Successful: entries.filter((e) => !failedIds.has(e.Id)).map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}`, MD5OfMessageBody: '' })),
      Failed: failed,
    };
  });
  return calls;
}

test.before.each(() => {
  sqs.reset();
});

test('25 records go out in calls of at most 10, bodies and Kafka metadata intact', async () => {
  const calls = answer(() => undefined);
  const records = recordsWithHeaders(25);
  const run = await withEnv(ENV, () => captureStdout(() => handler(kafkaEvent(records))));
  assert.is(run.error, undefined);
  assert.is(calls.length, 3);
  assert.ok(calls.every((c) => c.length <= 10));
  const entries = calls.flat();
  assert.is(entries.length, 25);
  assert.is(new Set(entries.map((e) => e.Id)).size, 25);
  assert.ok(entries.every((e) => /^[A-Za-z0-9_-]{1,80}$/.test(e.Id ?? '')));
  for (const record of records) {
    const entry = entries.find((e) => e.MessageAttributes?.[SQS_ATTRIBUTES.offset]?.StringValue === String(record.offset)) as Entry;
    assert.ok(entry, `offset ${record.offset} forwarded`);
    assert.is(entry.MessageBody, Buffer.from(record.value as string, 'base64').toString('utf8'));
    const attrs = entry.MessageAttributes ?? {};
    assert.equal(attrs[SQS_ATTRIBUTES.topic], { DataType: 'String', StringValue: 'bookings' });
    assert.equal(attrs[SQS_ATTRIBUTES.partition], { DataType: 'Number', StringValue: String(record.partition) });
    assert.equal(attrs[SQS_ATTRIBUTES.timestamp], { DataType: 'Number', StringValue: String(record.timestamp) });
    assert.equal(attrs[SQS_ATTRIBUTES.key], { DataType: 'String', StringValue: `BK-${Number(record.offset) - 1000}` });
  }
  const [line] = logLines(run.lines, 'batch forwarded');
  assert.is(line.forwarded, 25);
  assert.is(line.calls, 3);
  assert.equal(line.failed, []);
  assert.equal(metricValues(run.lines, 'EventsForwarded'), [25]);
  assert.equal(metricValues(run.lines, 'BatchSize'), [25]);
});

test('entries SQS fails transiently are retried, and only those', async () => {
  const calls = answer((entry, call) => (call === 1 && /^r(3|7)-/.test(entry.Id ?? '') ? { SenderFault: false, Code: 'InternalError' } : undefined));
  const run = await withEnv(ENV, () => captureStdout(() => handler(kafkaEvent(recordsWithHeaders(10)))));
  assert.is(run.error, undefined);
  assert.is(calls.length, 2);
  assert.equal(
    calls[1].map((e) => e.Id?.split('-')[0]),
    ['r3', 'r7'],
  );
  assert.is(logLines(run.lines, 'batch forwarded')[0].forwarded, 10);
});

test('a whole call that throws is retried', async () => {
  let calls = 0;
  sqs.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => {
    calls++;
    if (calls === 1) throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError', $fault: 'server' });
    return { Successful: (input.Entries ?? []).map((e) => ({ Id: e.Id, MessageId: 'm', MD5OfMessageBody: '' })), Failed: [] };
  });
  const run = await withEnv(ENV, () => captureStdout(() => handler(kafkaEvent(recordsWithHeaders(4)))));
  assert.is(run.error, undefined);
  assert.is(calls, 2);
});

test('a permanent (sender fault) failure is not retried and fails the invocation', async () => {
  const calls = answer((entry) => (entry.Id?.endsWith('-o1002') ? { SenderFault: true, Code: 'InvalidMessageContents' } : undefined));
  const run = await withEnv(ENV, () => captureStdout(() => handler(kafkaEvent(recordsWithHeaders(5)))));
  assert.is((run.error as Error)?.name, 'ForwardingFailedError');
  assert.match((run.error as Error).message, '1 of 5 records could not be queued');
  assert.is(calls.length, 1);
  const [line] = logLines(run.lines, 'batch forwarded');
  assert.is(line.forwarded, 4);
  assert.equal(
    line.failed.map((f: any) => [f.runId, f.seq, f.partition, f.offset]),
    [['run-1', 2, 2, 1002]],
  );
  assert.match(line.failed[0].reason, 'InvalidMessageContents');
});

test('transient failures that persist stop after the bounded attempts and fail the invocation', async () => {
  const calls = answer((entry) => (entry.Id?.startsWith('r0-') ? { SenderFault: false, Code: 'ServiceUnavailable' } : undefined));
  const run = await withEnv({ ...ENV, SQS_SEND_MAX_ATTEMPTS: '3' }, () => captureStdout(() => handler(kafkaEvent(recordsWithHeaders(3)))));
  assert.is((run.error as Error)?.name, 'ForwardingFailedError');
  assert.is(calls.filter((c) => c.some((e) => e.Id?.startsWith('r0-'))).length, 3);
  assert.match(logLines(run.lines, 'batch forwarded')[0].failed[0].reason, 'gave up after 3 attempts');
});

test('calls respect the SQS size limit; an oversized message is refused, never dropped silently', async () => {
  const calls = answer(() => undefined);
  const big = (seq: number, bytes: number) => kafkaRecord('bookings', 0, seq, bookingValue({ seq, eventBytes: bytes }));
  const records = [big(0, 1500), big(1, 1500), big(2, 1500), big(3, 9000), big(4, 1500)];
  const run = await withEnv({ ...ENV, SQS_MAX_MESSAGE_BYTES: '4096' }, () => captureStdout(() => handler(kafkaEvent(records))));
  assert.is((run.error as Error)?.name, 'ForwardingFailedError');
  assert.ok(calls.every((c) => c.reduce((sum, e) => sum + Buffer.byteLength(e.MessageBody ?? ''), 0) <= 4096));
  assert.is(calls.flat().length, 4);
  assert.is(calls.length, 2, 'about 1.6 KB each: two fit under 4 KB per call');
  const failed = logLines(run.lines, 'batch forwarded')[0].failed;
  assert.equal(
    failed.map((f: any) => f.offset),
    [3],
  );
  assert.match(failed[0].reason, 'over the SQS limit of 4096 bytes');
});

test('values SQS cannot carry as text travel base64-encoded and decode back exactly', async () => {
  const calls = answer(() => undefined);
  const binary = Buffer.from([0x00, 0xff, 0x10, 0x80]);
  const run = await withEnv(ENV, () => captureStdout(() => handler(kafkaEvent([kafkaRecord('bookings', 0, 1, binary), kafkaRecord('bookings', 0, 2, null)]))));
  assert.is(run.error, undefined);
  const [encoded, empty] = calls[0];
  assert.is(encoded.MessageAttributes?.[SQS_ATTRIBUTES.valueEncoding]?.StringValue, 'base64');
  const asLambdaRecord = (e: Entry) => ({
    body: e.MessageBody ?? '',
    messageAttributes: Object.fromEntries(
      Object.entries(e.MessageAttributes ?? {}).map(([k, v]) => [k, { dataType: v.DataType ?? '', stringValue: v.StringValue }]),
    ),
  });
  assert.equal(Buffer.from(kafkaValueOf(asLambdaRecord(encoded)) as Uint8Array), binary);
  assert.is(kafkaValueOf(asLambdaRecord(empty)), null);
});

test('entry ids are valid for any partition/offset; a missing QUEUE_URL says what to set', async () => {
  assert.is(sqsEntryId(12, { partition: 3, offset: 9_007_199_254 }), 'r12-p3-o9007199254');
  const run = await withEnv({ ...ENV, QUEUE_URL: undefined }, () => captureStdout(() => handler(kafkaEvent(recordsWithHeaders(1)))));
  assert.match((run.error as Error).message, 'QUEUE_URL is not set');
});

test.run();
