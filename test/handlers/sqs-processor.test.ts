import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { handler } from '../../handlers/sqs-processor.ts';
import { withEnv } from './support/env.ts';
import { bookingValue, sqsEventFromKafka } from './support/events.ts';
import { captureStdout, logLines, metricValues } from './support/stdout.ts';

const ENV = { PROCESSING_MS_PER_RECORD: '1', PROCESSING_MODE: 'parallel-by-key', REPORT_BATCH_ITEM_FAILURES: undefined, LAB_ID: '03-sqs-buffer' };
const bytes = (text: string) => new Uint8Array(Buffer.from(text));

test('valid bookings are processed; invalid messages come back as batch item failures', async () => {
  const now = Date.now();
  const event = sqsEventFromKafka([
    { partition: 0, offset: 1, value: bytes(bookingValue({ seq: 1, intendedAt: now - 250 })) },
    { partition: 0, offset: 2, value: bytes(bookingValue({ seq: 2, poison: true })) },
    { partition: 1, offset: 1, value: bytes('Hello, this is a test.') },
    { partition: 1, offset: 2, value: new Uint8Array([0xff, 0x00, 0xfe]) },
    { partition: 1, offset: 3, value: null },
    { partition: 2, offset: 9, value: bytes(bookingValue({ seq: 9, intendedAt: now - 250 })) },
  ]);
  const run = await withEnv(ENV, () => captureStdout(() => handler(event)));
  assert.is(run.error, undefined);
  assert.equal(run.result, {
    batchItemFailures: [{ itemIdentifier: 'msg-1' }, { itemIdentifier: 'msg-2' }, { itemIdentifier: 'msg-3' }, { itemIdentifier: 'msg-4' }],
  });
  const [line] = logLines(run.lines, 'batch processed');
  assert.is(line.service, 'sqs-processor');
  assert.equal(
    line.processed.map((p: any) => p.seq),
    [1, 9],
  );
  assert.ok(line.processed.every((p: any) => p.endToEndMs >= 250 && p.endToEndMs < 1000));
  assert.equal(
    line.failed.map((f: any) => f.messageId),
    ['msg-1', 'msg-2', 'msg-3', 'msg-4'],
  );
  assert.is(line.failed[0].seq, 2);
  assert.match(line.failed[0].reason, 'bookingId');
  assert.match(line.failed[2].reason, 'UTF-8');
  assert.match(line.failed[3].reason, 'missing');
  assert.equal(metricValues(run.lines, 'BatchSize'), [6]);
  assert.equal(metricValues(run.lines, 'EventsProcessed'), [2]);
  assert.equal(metricValues(run.lines, 'EventsFailed'), [4]);
  assert.is(metricValues(run.lines, 'EndToEndDuration').length, 2);
});

test('a batch where everything fails is reported item by item, not thrown', async () => {
  const event = sqsEventFromKafka([1, 2, 3].map((offset) => ({ partition: 0, offset, value: bytes('{}') })));
  const run = await withEnv(ENV, () => captureStdout(() => handler(event)));
  assert.is(run.error, undefined);
  assert.equal(run.result, { batchItemFailures: ['msg-0', 'msg-1', 'msg-2'].map((itemIdentifier) => ({ itemIdentifier })) });
});

test('all good: an empty failure list', async () => {
  const event = sqsEventFromKafka([{ partition: 0, offset: 1, value: bytes(bookingValue({ seq: 1 })) }]);
  const run = await withEnv(ENV, () => captureStdout(() => handler(event)));
  assert.equal(run.result, { batchItemFailures: [] });
});

test('partial batch responses off: any failure fails the whole batch', async () => {
  const event = sqsEventFromKafka([
    { partition: 0, offset: 1, value: bytes(bookingValue({ seq: 1 })) },
    { partition: 0, offset: 2, value: bytes('nope') },
  ]);
  const run = await withEnv({ ...ENV, REPORT_BATCH_ITEM_FAILURES: 'false' }, () => captureStdout(() => handler(event)));
  assert.is((run.error as Error)?.name, 'BatchFailedError');
  assert.match((run.error as Error).message, 'msg-1');
  assert.is(logLines(run.lines, 'batch processed').length, 1);
});

test.run();
