import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseOnFailureRecord, QueuePeek } from '../../harness/targets/aws-queues.ts';
import { awsError, noSleep, onFailureBody, queueUrl } from './support/aws-fixtures.ts';

const sqs = mockClient(SQSClient);
const client = new SQSClient({ region: 'eu-west-1' });
const URL = queueUrl('klw-bookings-failed');
const msg = (id: string) => ({ MessageId: id, ReceiptHandle: `rh-${id}`, Body: '{}' });

test('a scan receives until the queue answers empty, keeping every message once', async () => {
  sqs.reset();
  sqs
    .on(ReceiveMessageCommand)
    .resolvesOnce({ Messages: [msg('a'), msg('b')] })
    .resolvesOnce({ Messages: [msg('b'), msg('c')] }) // b again (short visibility): skipped
    .resolvesOnce({ Messages: [] })
    // A later scan: old messages visible again, a new one behind them.
    .resolvesOnce({ Messages: [msg('a'), msg('b')] })
    .resolvesOnce({ Messages: [msg('c'), msg('d')] })
    .resolves({});
  const peek = new QueuePeek(client, URL);
  assert.is(await peek.scan(), 3);
  assert.equal([...peek.messages.keys()], ['a', 'b', 'c']);
  assert.is(await peek.scan(), 1, 'the new message behind reappearing ones is found');
  assert.equal([...peek.messages.keys()], ['a', 'b', 'c', 'd']);
  for (const call of sqs.commandCalls(ReceiveMessageCommand)) {
    assert.equal(call.args[0].input, {
      QueueUrl: URL,
      MaxNumberOfMessages: 10,
      VisibilityTimeout: 30,
      WaitTimeSeconds: 1,
      MessageSystemAttributeNames: ['SentTimestamp'],
    });
  }
});

test('a throttled receive is retried', async () => {
  sqs.reset();
  sqs
    .on(ReceiveMessageCommand)
    .rejectsOnce(awsError('RequestThrottled', 'slow down'))
    .resolvesOnce({ Messages: [msg('a')] })
    .resolves({});
  const peek = new QueuePeek(client, URL, { sleep: noSleep });
  assert.is(await peek.scan(), 1);
  assert.is(sqs.commandCalls(ReceiveMessageCommand).length, 3);
});

test('on-failure records: offset ranges per topic-partition, topic names with hyphens included', () => {
  const record = parseOnFailureRecord({
    MessageId: 'm',
    Body: onFailureBody('bookings-v2', [
      { partition: 3, first: 41, last: 45 },
      { partition: 11, first: 7, last: 7 },
    ]),
  });
  assert.equal(record, {
    messageId: 'm',
    at: Date.parse('2026-01-01T00:01:00.000Z'),
    batchSize: 6,
    ranges: [
      { topic: 'bookings-v2', partition: 3, first: 41, last: 45 },
      { topic: 'bookings-v2', partition: 11, first: 7, last: 7 },
    ],
  });
  assert.is(parseOnFailureRecord({ MessageId: 'x', Body: 'not json' }), undefined);
  assert.is(parseOnFailureRecord({ MessageId: 'x', Body: '{"hello":1}' }), undefined);
});

test.run();
