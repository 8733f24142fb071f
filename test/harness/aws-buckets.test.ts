// The S3 on-failure destination on AWS (S3 client mocked): every object of the bucket is read
// once, across ListObjectsV2 pages, and parsed like a queue's invocation record.

import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BucketPeek } from '../../harness/targets/aws-buckets.ts';
import { parseOnFailureRecord } from '../../harness/targets/aws-queues.ts';
import { awsError, noSleep } from './support/aws-fixtures.ts';

const s3 = mockClient(S3Client);
const client = new S3Client({ region: 'eu-west-1' });
const record = (first: number) =>
  JSON.stringify({
    requestContext: { requestId: `r${first}`, functionArn: 'f', condition: 'RetryAttemptsExhausted', approximateInvokeCount: 3 },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    version: '1.0',
    timestamp: '2026-12-05T06:00:00.000Z',
    KafkaBatchInfo: {
      batchSize: 1,
      bootstrapServers: 'b',
      payloadSize: 10,
      recordsInfo: { 'bookings-2': { firstRecordOffset: String(first), lastRecordOffset: String(first), firstRecordTimestamp: 't', lastRecordTimestamp: 't' } },
    },
    payload: '{"records":{}}',
  });
const body = (text: string) => ({ Body: { transformToString: async () => text } }) as never;

test('every page is listed and each new object fetched once; a second scan fetches only what is new', async () => {
  s3.reset();
  s3.on(ListObjectsV2Command, { ContinuationToken: undefined }).resolves({
    Contents: [{ Key: 'a' }, { Key: 'b' }],
    IsTruncated: true,
    NextContinuationToken: 't2',
    KeyCount: 2,
  });
  s3.on(ListObjectsV2Command, { ContinuationToken: 't2' }).resolves({ Contents: [{ Key: 'c' }], IsTruncated: false, KeyCount: 1 });
  s3.on(GetObjectCommand, { Key: 'a' }).resolves(body(record(10)));
  s3.on(GetObjectCommand, { Key: 'b' }).resolves(body(record(11)));
  s3.on(GetObjectCommand, { Key: 'c' }).resolves(body(record(12)));
  const peek = new BucketPeek(client, 'klw-bookings-failed-x', { sleep: noSleep });
  assert.is(await peek.scan(), 3);
  assert.equal(
    s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input),
    [
      { Bucket: 'klw-bookings-failed-x', ContinuationToken: undefined },
      { Bucket: 'klw-bookings-failed-x', ContinuationToken: 't2' },
    ],
  );
  const ranges = [...peek.messages.values()].map((m) => parseOnFailureRecord(m)!.ranges[0]);
  assert.equal(
    ranges,
    [10, 11, 12].map((o) => ({ topic: 'bookings', partition: 2, first: o, last: o })),
  );
  assert.is(await peek.scan(), 0);
  assert.is(s3.commandCalls(GetObjectCommand).length, 3, 'nothing fetched twice');
});

test('a throttled listing is retried; a denied one is one line naming the permission', async () => {
  s3.reset();
  s3.on(ListObjectsV2Command).rejectsOnce(awsError('SlowDown', 'Please reduce your request rate.')).resolves({ Contents: [], IsTruncated: false });
  assert.is(await new BucketPeek(client, 'b', { sleep: noSleep }).scan(), 0);
  s3.reset();
  s3.on(ListObjectsV2Command).rejects(awsError('AccessDenied', 'Access Denied'));
  try {
    await new BucketPeek(client, 'b', { sleep: noSleep }).scan();
    assert.unreachable('expected an error');
  } catch (error) {
    assert.match((error as Error).message, /s3:ListBucket/);
  }
});

test.run();
